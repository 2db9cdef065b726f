"""What this project's recorded deviations explain (LINT-COMPAT-DEVIATION).

Our reference documents follow the standard's except for recorded deviations
(``specs/deviations/``). A document that follows the standard where we deviate differs from
our reference there, but not from the standard: such a difference is shown as the deviation,
for information, not as an incompatibility. A difference counts as explained only when it
disappears once the deviation is applied to the linted document, so a document that differs
in some other way at the same place is still reported.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from .findings import Finding
from .loader import Loc, Source

if TYPE_CHECKING:
    from ..deviations import Deviation, DeviationSet
    from .compat import Comparer

RULE = "LINT-COMPAT-DEVIATION"


class Recorded:
    """The recorded deviations of a reference, as they bear on one linted document."""

    def __init__(self, spec: Source, devset: DeviationSet) -> None:
        from ..deviations import split_pointer

        self.spec, self.devset = spec, devset
        self._fits: dict[str, bool] = {}
        self._split = split_pointer
        self._paths = {d.id: [c.segments for c in d.changes] for d in devset.deviations}

    def explain(self, comparer: Comparer) -> list[Finding]:
        """Take the differences the deviations explain out of `comparer`; one finding for
        each deviation that explained something."""
        if not comparer.diffs:
            return []
        # all of them at once: one deviation may add what another refers to
        applicable, patched = self._patched(list(self.devset.deviations))
        if patched is None:
            return []
        left = self._left(comparer, patched)
        pending = []  # (key, diff, the parts of it that the deviations explain)
        for key, diff in comparer.diffs.items():
            gone = [part for part in diff.parts
                    if (diff.rule, diff.loc.pointer, part[1]) not in left]
            if gone:
                pending.append((key, diff, gone))
        explained: dict[str, tuple[Deviation, list[tuple[Loc, list[str]]]]] = {}

        def take(deviation: Deviation, key: tuple, diff: Any, parts: list) -> None:
            diff.parts = [part for part in diff.parts if part not in parts]
            if not diff.parts:
                del comparer.diffs[key]
            explained.setdefault(deviation.id, (deviation, []))[1].append(
                (diff.loc, list(dict.fromkeys(text for _, text in parts))))

        unplaced = []
        for key, diff, gone in pending:  # first by place: the one deviation changing it
            near = [d for d in applicable if self._touches(d, diff.loc.pointer)]
            if len(near) == 1:
                take(near[0], key, diff, gone)
            else:
                unplaced.append((key, diff, gone))
        for deviation in applicable:  # then by effect: what one deviation alone explains
            if not unplaced:
                break
            alone = self._left(comparer, _applied(self.spec.root, self.devset, (deviation,)))
            still = []
            for key, diff, gone in unplaced:
                parts = [part for part in gone
                         if (diff.rule, diff.loc.pointer, part[1]) not in alone]
                if parts:
                    take(deviation, key, diff, parts)
                rest = [part for part in gone if part not in parts]
                if rest:
                    still.append((key, diff, rest))
            unplaced = still
        return [_finding(deviation, places) for deviation, places in explained.values()]

    def annotate(self, findings: list[Finding]) -> list[Finding]:
        """Say so on findings (of other checks) at a place where the reference deviates from
        the standard and the linted document follows the standard."""
        for finding in findings:
            if finding.rule.startswith("LINT-COMPAT") or finding.loc.source is not self.spec:
                continue  # differences are explained by `explain`, not annotated
            deviation = self._near(finding.pointer)
            if deviation is not None and self._fitting(deviation):
                finding.message += (f" (this project's reference deviates here: "
                                    f"{deviation.id}, {deviation.title})")
        return findings

    def _left(self, comparer: Comparer, patched: Any) -> set[tuple[str, str, str]]:
        """The differences that remain between the reference and `patched` (all of them
        when `patched` is None)."""
        from .compat import Comparer

        if patched is None:
            return {(d.rule, d.loc.pointer, t) for d in comparer.diffs.values() for _, t in
                    d.parts}
        spec = self.spec
        other = Comparer(comparer.ws, comparer.std,
                         Loc(Source(spec.uri, spec.display, patched), ""))
        other.run()
        return {(d.rule, d.loc.pointer, t) for d in other.diffs.values() for _, t in d.parts}

    def _touches(self, deviation: Deviation, pointer: str) -> bool:
        """A change of the deviation is at, around or inside `pointer`, `*` matching a key on
        either side (Deviation.touches misses a `*` in a change that lies inside the
        pointer)."""
        target = self._split(pointer)
        return any(_prefix(path, target) or _prefix(target, path)
                   for path in self._paths[deviation.id])

    def _near(self, pointer: str) -> Deviation | None:
        """The deviation that changes `pointer`, something around it, or a direct child of
        it (a value added to its list), not one deeper down."""
        depth = len(self._split(pointer))
        return next((d for d in self.devset.deviations if self._touches(d, pointer) and any(
            len(path) <= depth + 1 for path in self._paths[d.id])), None)

    def _fitting(self, deviation: Deviation) -> bool:
        """Whether the deviation applies to the linted document, which then follows the
        standard there (it does not when the document already does what the deviation does,
        or has no such place)."""
        if deviation.id not in self._fits:
            self._fits[deviation.id] = _applied(self.spec.root, self.devset,
                                                (deviation,)) is not None
        return self._fits[deviation.id]

    def _patched(self, chosen: list[Deviation]) -> tuple[list[Deviation], Any]:
        """The deviations of `chosen` that apply, and the document with them applied (None
        when there are none); all at once first, which usually fits."""
        if not chosen:
            return [], None
        patched = _applied(self.spec.root, self.devset, tuple(chosen))
        if patched is not None:
            self._fits.update({d.id: True for d in chosen})
            return chosen, patched
        fitting = [d for d in chosen if self._fitting(d)]
        return fitting, _applied(self.spec.root, self.devset, tuple(fitting)) if fitting else None


def _prefix(short: list[str], long: list[str]) -> bool:
    return len(short) <= len(long) and all(
        a == b or "*" in (a, b) or ("-" in (a, b) and (a + b).strip("-").isdigit())
        for a, b in zip(short, long, strict=False))


def _applied(root: Any, devset: DeviationSet, chosen: tuple[Deviation, ...]) -> Any:
    """`root` with the chosen deviations applied, or None when they do not fit it."""
    from ..deviations import DeviationError, apply

    try:
        return apply(root, dataclasses.replace(devset, deviations=chosen))
    except DeviationError:
        return None


def _finding(deviation: Deviation, places: list[tuple[Loc, list[str]]]) -> Finding:
    loc, texts = places[0]
    more = f" (and {len(places) - 1} more place{'s' if len(places) > 2 else ''})" if len(
        places) > 1 else ""
    why = deviation.why.strip().rstrip(".")
    return Finding(
        RULE,
        f"{deviation.id} {deviation.title}: the standard says {deviation.standard_says}; this "
        f"project's reference says {deviation.we_say}. Why: {why}. This document follows the "
        f"standard here ({'; '.join(texts)}){more}: not reported as a difference", loc)
