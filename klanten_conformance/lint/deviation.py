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
        self.spec, self.devset = spec, devset
        self._fits: dict[str, bool] = {}

    def explain(self, comparer: Comparer) -> list[Finding]:
        """Take the differences the deviations explain out of `comparer`; one finding for
        each deviation that explained something."""
        from .compat import Comparer

        pointers = {diff.loc.pointer for diff in comparer.diffs.values()}
        relevant = [d for d in self.devset.deviations if any(d.touches(p) for p in pointers)]
        applicable, patched = self._patched(relevant)
        if patched is None:
            return []
        spec = self.spec
        other = Comparer(comparer.ws, comparer.std, Loc(Source(spec.uri, spec.display, patched),
                                                          ""))
        other.run()
        left = {(d.rule, d.loc.pointer, text) for d in other.diffs.values() for _, text in d.parts}
        explained: dict[str, tuple[Deviation, list[tuple[Loc, list[str]]]]] = {}
        for key, diff in list(comparer.diffs.items()):
            gone = [part for part in diff.parts
                    if (diff.rule, diff.loc.pointer, part[1]) not in left]
            deviation = next((d for d in applicable if d.touches(diff.loc.pointer)), None)
            if not gone or deviation is None:
                continue
            diff.parts = [part for part in diff.parts if part not in gone]
            if not diff.parts:
                del comparer.diffs[key]
            explained.setdefault(deviation.id, (deviation, []))[1].append(
                (diff.loc, list(dict.fromkeys(text for _, text in gone))))
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

    def _near(self, pointer: str) -> Deviation | None:
        """The deviation that changes `pointer`, something around it, or a direct child of
        it (a value added to its list), not one deeper down."""
        from ..deviations import split_pointer

        depth = len(split_pointer(pointer))
        return next((d for d in self.devset.deviations if d.covers(pointer) or (
            d.touches(pointer) and any(len(c.segments) == depth + 1 for c in d.changes))),
            None)

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
