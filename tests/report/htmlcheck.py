"""A strict structural reading of the generated pages (stdlib html.parser only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "br", "col", "link", "img", "hr", "input"}


@dataclass
class Page:
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    text: str = ""
    errors: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.tags.append(tag)
        if values.get("id"):
            self.page.ids.append(values["id"] or "")
        if tag == "a" and values.get("href") is not None:
            self.page.links.append(values["href"] or "")
        for name in ("src", "srcset", "data"):
            if values.get(name):
                self.page.resources.append(values[name] or "")
        if tag == "link":
            self.page.resources.append(values.get("href") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def parse(text: str) -> Page:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        parser.page.errors.append(f"unclosed: {parser.stack}")
    parser.page.text = " ".join(parser.chunks)
    return parser.page


def assert_well_formed(page: Page) -> None:
    assert not page.errors, page.errors
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert not page.resources, f"external resources: {page.resources}"
    assert "script" not in page.tags
    for link in page.links:
        assert not link.startswith(("http:", "https:", "//")), f"external link {link}"
        if link.startswith("#"):
            assert link[1:] in page.ids, f"broken internal link {link}"
