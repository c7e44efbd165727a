"""Anki fields are HTML; the terminal wants text. Line breaks are kept, tags
dropped, entities decoded, and media references (images, [sound:...]) removed
and counted so the import can report them as skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BREAKS = {"br", "div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol", "table", "blockquote", "pre"}
_HIDDEN = {"script", "style", "head", "title"}
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_LOOKS_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.media = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in ("img", "audio", "video", "source", "object", "embed"):
            self.media += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BREAKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text))


def to_text(html: str) -> tuple[str, int]:
    """Readable text for an HTML field, and how many media references it had."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text, sounds = _SOUND.subn("", "".join(parser.parts))
    return tidy(text), parser.media + sounds


def strip_media(text: str) -> tuple[str, int]:
    """For fields that are not HTML: only remove [sound:...] references."""
    if "[sound:" not in text:
        return tidy(text), 0
    text, sounds = _SOUND.subn("", text)
    return tidy(text), sounds


_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    if "\n" not in text and "\r" not in text and "\t" not in text and "\xa0" not in text and "  " not in text:
        return text.strip()  # one plain line, the common case: nothing else to do
    text = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
