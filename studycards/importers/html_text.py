"""Anki fields are HTML; the terminal wants text that keeps the field's shape.

``to_text`` renders a field much as a browser lays it out, in text: block
elements (div, p, li, tr, headings, ...) start new lines, ``<br>`` breaks
a line, ``<pre>`` keeps its whitespace exactly, lists get bullets or
numbers (nested ones indented), table rows are cells joined by " | ",
``<hr>`` is a rule. Scripts, styles, comments, form inputs and hidden
elements (inline ``display:none``/``visibility:hidden``, the ``hidden``
attribute, or a class the note type's CSS hides, see ``hidden_classes``)
are left out. Media stay where they were as ``[image: cat.jpg]``,
``[sound: meow.mp3]``, ``[video: clip.mp4]`` and are counted. Maths
(MathJax ``\\(…\\)`` and ``\\[…\\]``, Anki's ``[$]…[/$]``, ``[$$]…[/$$]`` and
``[latex]…[/latex]``) becomes Unicode text (``studycards.mathtext``);
display maths gets a line of its own.

Outside ``<pre>``, spaces and tabs collapse to one space as in a browser
(``&nbsp;`` is a space that does not collapse). Raw newlines are whitespace
too when the field has its own line structure (``<br>``, block elements);
in a field with none (Anki text exports often have plain multi-line text
marked as HTML) each newline is a line break. Paragraphs (``<p>``) are
separated by one blank line, and there is never more than one blank line in
a row. No control character other than newline (and tab inside ``<pre>``)
(C0) is ever returned.

``strip_media`` and ``plain_text`` are for fields that are not HTML: their
whitespace is kept exactly.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from studycards import mathtext

__all__ = ["hidden_classes", "looks_like_html", "media_names", "plain_text", "strip_media", "tidy", "to_text"]

_LOOKS_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_SOUND = re.compile(r"\[sound:([^\[\]]*)\]")  # no "[" inside: linear on hostile input
# C0 control characters but tab, newline and carriage return (dealt with
# separately). DEL and C1 are kept, as the rest of the text is: the screen
# neutralises them when it shows a card.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_C0_OUT = re.compile("[\x00-\x08\x0b-\x1f]")  # what to_text never returns
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f]")  # for media names: none at all
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace; \xa0 is not
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")

_BLOCKS = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup main nav section summary caption tbody thead tfoot".split()
)
_LINE_STRUCTURE = re.compile(
    r"<(?:br|p|li|ul|ol|tr|td|th|table|pre|hr|" + "|".join(sorted(_BLOCKS)) + r")[\s/>]", re.IGNORECASE
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "select", "datalist", "button"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})
_RULE = "─" * 10
_VIDEO_EXT = frozenset({"mp4", "webm", "mkv", "mov", "avi", "ogv", "m4v", "mpg", "mpeg", "wmv", "flv", "3gp"})
_REMOTE = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//|^(?:https?|ftp):")

# Maths and sound references in running text: (opening, closing) as Anki
# and MathJax write them. "[$$]" is tried before "[$]".
_OPENERS = re.compile(r"\\\(|\\\[|\[\$\$\]|\[\$\]|\[latex\]|\[sound:", re.IGNORECASE)
_CLOSERS = {
    "\\(": re.compile(r"\\\)"),
    "\\[": re.compile(r"\\\]"),
    "[$$]": re.compile(r"\[/\$\$\]"),
    "[$]": re.compile(r"\[/\$\]"),
    "[latex]": re.compile(r"\[/latex\]", re.IGNORECASE),
    "[sound:": re.compile(r"[\[\]]"),
}
_DISPLAY = frozenset({"\\[", "[$$]"})
_CLOZE = re.compile(r"\{\{c\d+::")
_BR = "\x00"  # stands for <br> in running text (real control characters are removed first)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text))


def tidy(text: str) -> str:
    """Collapse runs of spaces and tabs, strip every line, and keep at most
    one blank line in a row. (``to_text`` does not use it: it would flatten
    ``<pre>``.)"""
    if "\n" not in text and "\r" not in text and "\t" not in text and "\xa0" not in text and "  " not in text:
        return text.strip()  # one plain line, the common case: nothing else to do
    text = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# --- plain text ------------------------------------------------------------


def plain_text(text: str) -> str:
    """A field that is not HTML, as it is: only ``\\r\\n`` and ``\\r`` become
    ``\\n`` and blank lines at the start and end are dropped. Tabs,
    indentation and runs of spaces are kept (and so is any other character:
    the screen neutralises control characters when it shows a card)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or (not text[0].isspace() and not text[-1].isspace()):
        return text
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def strip_media(text: str) -> tuple[str, int]:
    """For fields that are not HTML: the text with its whitespace kept (as
    ``plain_text``), each ``[sound:x.mp3]`` shown in place as
    ``[sound: x.mp3]``, and how many there were."""
    text = plain_text(text)
    if "[sound:" not in text:
        return text, 0
    count = 0

    def shown(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return _placeholder("sound", match.group(1))

    return _SOUND.sub(shown, text), count


# --- media -----------------------------------------------------------------


def _clean_name(name: str) -> str:
    return " ".join(_CONTROL_ALL.sub("", name).split())


def _placeholder(kind: str, name: str | None) -> str:
    name = (name or "").strip()
    if not name or name.lower().startswith("data:"):
        return f"[{kind}]"
    if _REMOTE.match(name):
        shown = _clean_name(name)
    else:
        shown = _clean_name(unquote(name).replace("\\", "/").rsplit("/", 1)[-1])
    return f"[{kind}: {shown}]" if shown else f"[{kind}]"


def _is_local(name: str) -> bool:
    name = name.strip()
    return bool(name) and not _REMOTE.match(name) and not name.lower().startswith("data:")


def media_names(html: str) -> list[str]:
    """The file names of every local media reference (``<img src>``,
    ``<audio>``/``<video>``/``<source>``/``<embed>`` ``src``, ``<object data>``,
    ``[sound:...]``), as written (entities decoded, not percent-decoded), in
    order; remote URLs and ``data:`` URIs are left out. Hidden elements count:
    their files are still the note's. The names are untrusted: check them
    before using them as paths."""
    if "<" not in html and "[sound:" not in html:
        return []
    renderer = _Renderer(frozenset(), line_breaks=False)
    renderer.run_safely(html)
    return [name for name in renderer.names if _is_local(name)]


# --- hiding ----------------------------------------------------------------


def _style_hides(style: str) -> bool:
    display = visibility = False
    for declaration in style.split(";"):
        prop, _, value = declaration.partition(":")
        prop = prop.strip().lower()
        value = value.split("!", 1)[0].strip().lower()
        if prop == "display":
            display = value == "none"
        elif prop == "visibility":
            visibility = value in ("hidden", "collapse")
    return display or visibility


_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_CSS_HIDES = re.compile(r"(?:^|[;{\s])(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!\s*important\s*)?(?:;|$)", re.IGNORECASE)
_LAST_COMPOUND = re.compile(r"(?:[a-zA-Z][\w-]*)?\.(-?[_a-zA-Z][\w-]*)")
_ANCESTOR = re.compile(r"(?:[a-zA-Z][\w-]*|\*)?(?:[.#]-?[_a-zA-Z][\w-]*)*")


def hidden_classes(css: str) -> frozenset[str]:
    """The class names a note type's CSS hides (``display: none`` or
    ``visibility: hidden``), for simple selectors: ``.hint``, ``div.hint``,
    ``.card .hint``, ``.nightMode .hint``, ``.card > .hint``, and comma lists
    of them. Selectors with pseudo-classes, attributes, sibling combinators
    or several classes on the hidden element are ignored."""
    found: set[str] = set()
    css = _CSS_COMMENT.sub(" ", css)
    for selectors, body in _CSS_RULE.findall(css):
        if not _CSS_HIDES.search(";" + body.strip()):
            continue
        for selector in selectors.split(","):
            selector = selector.strip()
            if not selector or any(c in selector for c in ":[+~()@\\"):
                continue
            parts = selector.replace(">", " ").split()
            last = _LAST_COMPOUND.fullmatch(parts[-1])
            if last and all(_ANCESTOR.fullmatch(part) for part in parts[:-1]):
                found.add(last.group(1))
    return frozenset(found)


# --- HTML to text ----------------------------------------------------------


def to_text(html: str, hidden_classes: frozenset[str] = frozenset()) -> tuple[str, int]:
    """Readable text for an HTML field, and how many media references it
    shows. ``hidden_classes`` are classes whose elements are not shown (see
    ``hidden_classes()``)."""
    if not any(c in html for c in "<&[\\"):
        return _plain_html(html), 0  # the common case: no tags, entities, media or maths
    renderer = _Renderer(hidden_classes, line_breaks=not _LINE_STRUCTURE.search(html))
    renderer.run_safely(_without_scripts(html))
    return renderer.text(), renderer.media


_SCRIPT = re.compile(r"<(script|style)(?=[\s/>])[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_SCRIPT_START = re.compile(r"<(?:script|style)[\s/>]", re.IGNORECASE)


def _without_scripts(html: str) -> str:
    """Script and style elements cut out before parsing, so that no broken
    markup before one (``</<script>``, which a browser reads as a comment)
    can make its code show as text."""
    return _SCRIPT.sub(" ", html) if _SCRIPT_START.search(html) else html


def _plain_html(text: str) -> str:
    """``to_text`` for text with no markup: what the full rendering gives,
    without a parser. Newlines are line breaks (there is no other line
    structure), spaces and tabs collapse, non-breaking spaces do not."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if "\n" not in text:
        line = _COLLAPSIBLE.sub(" ", text).strip(" ").replace("\xa0", " ").rstrip(" ")
        return line
    out: list[str] = []
    for line in text.split("\n"):
        line = _COLLAPSIBLE.sub(" ", line).strip(" ").replace("\xa0", " ").rstrip(" ")
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


class _Renderer(HTMLParser):
    """Lays out HTML as lines of text (see the module docstring)."""

    def __init__(self, hidden: frozenset[str], line_breaks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_classes = hidden
        self.line_breaks = line_breaks  # raw newlines in text are line breaks
        self.lines: list[tuple[str, bool]] = []  # finished lines: (text, verbatim)
        self.cur: list[str] = []  # the line being written
        self.cur_verbatim = False
        self.space = False  # a collapsible space is due before the next text
        self.trim = False  # drop non-breaking spaces at the start of the next text
        self.blank = False  # a paragraph wants a blank line before the next text
        self.run: list[str] = []  # running text waiting for maths and sound references
        self.run_maths = True  # False inside <code>
        self.script_tag: str | None = None  # <sup>/<sub> whose text is in self.run
        self.hide_tag: str | None = None
        self.hide_depth = 0
        self.pre = 0
        self.pre_start = False  # just after <pre>: a first newline is dropped
        self.code = 0
        self.lists: list[list[int]] = []  # [ordered, last number]
        self.prefix: str | None = None  # a list item's marker, written with its first text
        self.indent = ""  # continuation lines of a list item
        self.tables: list[list[int]] = []  # [cells in this row, inside a cell]
        self.av: list[list[object]] = []  # open <audio>/<video>/<object>: [kind, had a source]
        self.media = 0
        self.names: list[str] = []  # every media reference, shown or hidden, for media_names

    # -- running the parser

    def run_safely(self, html: str) -> None:
        try:
            self.feed(html)
            self.close()
        except Exception:  # html.parser is lenient, but never let a field stop an import
            self.__init__(self.hidden_classes, self.line_breaks)  # type: ignore[misc]
            self._fallback(html)
        self._flush_run()

    def _fallback(self, html: str) -> None:
        html = re.sub(r"(?is)<(script|style)\b.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)", " ", html)
        self.run.append(re.sub(r"<[^>]*>?", " ", html).replace("&nbsp;", "\xa0"))

    def text(self) -> str:
        self._flush_run()
        self._end_line()
        out: list[str] = []
        for line, verbatim in self.lines:
            if not verbatim:
                line = line.rstrip(" \t")
                if not line and (not out or not out[-1]):
                    continue  # no blank line at the start, none after another
            out.append(line)
        while out and not out[-1].strip(" \t"):
            out.pop()
        start = 0
        while start < len(out) and not out[start].strip(" \t"):
            start += 1
        out = out[start:]
        return _C0_OUT.sub("", "\n".join(out))

    # -- writing

    def _in_cell(self) -> bool:
        return any(table[1] for table in self.tables)

    def _start_line(self) -> None:
        if self.blank and self.lines and self.lines[-1][0]:
            self.lines.append(("", False))
        self.blank = False
        if self.prefix is not None:
            self.cur.append(self.prefix)
            self.prefix = None
        elif self.indent:
            self.cur.append(self.indent)

    def _content(self, text: str) -> None:
        """Text that shows (no collapsible whitespace in it)."""
        if self.trim:  # after display maths: its &nbsp; neighbours do not indent the next line
            text = text.lstrip("\xa0 ")
            if not text:
                return
            self.trim = False
        if not self.cur:
            self._start_line()
        elif self.space:
            self.cur.append(" ")
        self.space = False
        self.cur.append(text.replace("\xa0", " "))

    def _end_line(self, force: bool = False) -> None:
        if self.cur or force:
            self.lines.append(("".join(self.cur), self.cur_verbatim))
        self.cur = []
        self.cur_verbatim = False
        self.space = False

    def _newline(self) -> None:
        """A line break (<br>): ends the line, even an empty one."""
        if self._in_cell():
            self.space = True
        else:
            self._end_line(force=True)

    def _soft_break(self) -> None:
        """The edge of a block: ends the line if anything is on it."""
        if self._in_cell():
            self.space = True
        else:
            self._end_line()

    def _block(self) -> None:
        self._flush_run()
        self._soft_break()

    def _words(self, text: str) -> None:
        """Running text outside <pre>: whitespace collapses."""
        pieces = text.split(_BR)
        if self.line_breaks:
            pieces = [line for piece in pieces for line in piece.split("\n")]
            # a field without line structure: its newlines are line breaks
        for number, piece in enumerate(pieces):
            if number:
                self._newline()
            for index, word in enumerate(_COLLAPSIBLE.split(piece)):
                if index:
                    self.space = True
                if word:
                    self._content(word)

    def _verbatim(self, text: str) -> None:
        """Text inside <pre>: kept exactly, tabs and all."""
        if self.pre_start:
            self.pre_start = False
            if text.startswith("\n"):
                text = text[1:]
        for number, line in enumerate(text.split("\n")):
            if number:
                self._pre_newline()
            if line:
                if not self.cur:
                    self._start_line()
                self.cur.append(line.replace("\xa0", " "))
                self.cur_verbatim = True

    def _pre_newline(self) -> None:
        self._end_line(force=True)
        self.cur_verbatim = True  # the next line is inside <pre> too, even if empty

    def _media(self, kind: str, name: str | None, record: bool = True) -> None:
        if name is not None and record:
            self.names.append(name)
        self.media += 1
        self._flush_run()
        self._content(_placeholder(kind, name))

    def _flush_run(self) -> None:
        self.script_tag = None
        if not self.run:
            return
        text = "".join(self.run)
        self.run = []
        if not self.run_maths:
            self._words_and_sounds(text)
            return
        pos = 0
        unclosed: set[str] = set()  # openers with no closer left: never search again
        while True:
            opened = _OPENERS.search(text, pos)
            if opened is None:
                break
            key = opened.group().lower()
            closed = None if key in unclosed else _CLOSERS[key].search(text, opened.end())
            if closed is None:
                unclosed.add(key)
            if closed is None or closed.start() == opened.end() or closed.group() == "[":
                pos = opened.start() + 1  # unclosed, empty, or "[sound:" with "[" in it: plain text
                continue
            inner = text[opened.end() : closed.start()]
            self._words(text[:opened.start()])
            text, pos = text[closed.end() :], 0
            if key == "[sound:":
                self._media("sound", inner, record=False)  # recorded as it was read
            else:
                self._maths(inner, key)
        self._words(text)

    def _words_and_sounds(self, text: str) -> None:
        pos = 0
        for match in _SOUND.finditer(text):
            self._words(text[pos : match.start()])
            self._media("sound", match.group(1), record=False)
            pos = match.end()
        self._words(text[pos:])

    def _maths(self, source: str, key: str) -> None:
        source = source.replace(_BR, "\n")
        if _CLOZE.search(source):  # a cloze deletion inside maths: its markers must survive as written
            converted = mathtext.readable_source(source)
        else:
            converted = mathtext.to_unicode(source, text_mode=key == "[latex]", display=key in _DISPLAY)
        if not converted:
            return
        if key in _DISPLAY and not self._in_cell():
            self._soft_break()
            for line in converted.split("\n"):
                self._content(line)
                self._end_line()
            self.trim = True
        else:
            self._content(converted.replace("\n", " "))

    # -- parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "<" in tag:  # "<a<script>": html.parser reads one tag "a<script"; take no chances
            tag = tag.rsplit("<", 1)[1]
        if self.hide_tag is not None:
            if tag == self.hide_tag == "p" and not self.hide_depth:
                self.hide_tag = None  # <p> cannot nest: a new one ends the hidden one
            else:
                if tag == self.hide_tag:
                    self.hide_depth += 1
                self._note_hidden_media(tag, attrs)
                return
        values = {name: value or "" for name, value in attrs}
        # Controls a reader clicks in Anki (buttons, onclick toggles) do nothing in a terminal.
        if tag in _HIDDEN_TAGS or "hidden" in values or "onclick" in values or self._hides(values):
            self._note_hidden_media(tag, attrs)
            if tag not in _VOID:
                self.hide_tag, self.hide_depth = tag, 0
            return
        if self.av and tag != "source" and tag != "track":
            return  # fallback content of <audio>/<video>/<object>
        if tag == "br":
            if self.pre:
                self._flush_run()
                self._pre_newline()
            else:
                self.run.append(_BR)
        elif tag in _BLOCKS:
            self._block()
        elif tag == "p":
            self._block()
            self.blank = True
        elif tag == "pre":
            self._block()
            self.pre += 1
            self.pre_start = True
            self.cur_verbatim = not self._in_cell()
        elif tag == "code" and not self.pre:
            self._flush_run()
            self.code += 1
            self.run_maths = False
        elif tag in ("sup", "sub"):
            self._flush_run()
            self.script_tag = tag
        elif tag == "hr":
            self._block()
            self._content(_RULE)
            self._soft_break()
        elif tag in ("ul", "ol"):
            self._block()
            start = values.get("start", "").strip()
            first = int(start) if tag == "ol" and start.isdigit() and len(start) < 9 else 1
            self.lists.append([tag == "ol", first - 1])
        elif tag == "li":
            self._block()
            depth = len(self.lists)
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. "
            else:
                marker = "• "
            self.prefix = "  " * max(depth - 1, 0) + marker
            self.indent = "  " * max(depth, 1)
        elif tag == "table":
            self._block()
            self.tables.append([0, 0])
        elif tag == "tr":
            if self.tables:
                self.tables[-1][1] = 0
            self._block()
            if self.tables:
                self.tables[-1][0] = 0
        elif tag in ("td", "th"):
            self._flush_run()
            if not self.tables:
                self.tables.append([0, 0])
            table = self.tables[-1]
            table[1] = 0
            if table[0]:
                self.space = True
                self._content("|")
                self.space = True
            table[0] += 1
            table[1] = 1
        elif tag == "img":
            self._media("image", values.get("src"))
        elif tag in ("audio", "video"):
            kind = "sound" if tag == "audio" else "video"
            src = values.get("src")
            if src:
                self._media(kind, src)
            self.av.append([kind, bool(src)])
        elif tag == "object":
            data = values.get("data")
            if data:
                self._media(_kind_of(data), data)
            self.av.append([_kind_of(data or ""), bool(data)])
        elif tag == "embed":
            self._media(_kind_of(values.get("src", "")), values.get("src"))
        elif tag == "source":
            src = values.get("src")
            if self.av:
                kind, had = self.av[-1]
                if src and not had:  # the first source is the one played; the others are other formats
                    self._media(str(kind), src)
                    self.av[-1][1] = True
                elif src:
                    self.names.append(src)
            elif src:
                self._media(_kind_of(src), src)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)  # <div/>: opened and closed, as XHTML meant it

    def handle_endtag(self, tag: str) -> None:
        if "<" in tag:
            tag = tag.rsplit("<", 1)[1]
        if self.hide_tag is not None:
            if tag == self.hide_tag:
                if self.hide_depth:
                    self.hide_depth -= 1
                else:
                    self.hide_tag = None
            return
        if self.av:
            if tag in ("audio", "video", "object"):
                self.av.pop()
            return
        if tag == "br":
            self.handle_starttag("br", [])  # </br> is a <br>, as browsers read it
        elif tag in _BLOCKS:
            self._block()
        elif tag == "p":
            self._block()
            self.blank = True
        elif tag == "pre":
            self._flush_run()
            self.pre = max(0, self.pre - 1)
            self.pre_start = False
            self._soft_break()
        elif tag == "code" and not self.pre and self.code:
            self._flush_run()
            self.code -= 1
            self.run_maths = not self.code
        elif tag in ("sup", "sub"):
            self._end_script(tag)
        elif tag in ("ul", "ol"):
            self._block()
            if self.lists:
                self.lists.pop()
            self.prefix = None
            self.indent = "  " * len(self.lists)
        elif tag == "li":
            self._block()
            self.prefix = None
            self.indent = "  " * len(self.lists)
        elif tag in ("td", "th"):
            self._flush_run()
            if self.tables:
                self.tables[-1][1] = 0
        elif tag == "tr":
            self._flush_run()
            if self.tables:
                self.tables[-1][1] = 0
            self._soft_break()
        elif tag == "table":
            self._flush_run()
            if self.tables:
                self.tables.pop()
            self._soft_break()

    def _end_script(self, tag: str) -> None:
        if self.script_tag != tag or _BR in "".join(self.run):
            self._flush_run()
            return
        text = "".join(self.run)
        self.run = []
        self.script_tag = None
        if any(c in text for c in "\\[$"):
            self.run = [text]  # maths or a sound reference: leave them to the usual way
            self._flush_run()
            return
        words = " ".join(_COLLAPSIBLE.split(text.replace("\xa0", " "))).strip()
        if words:
            table, mark = (mathtext.SUPERSCRIPT, "^") if tag == "sup" else (mathtext.SUBSCRIPT, "_")
            self._content(mathtext.script(words, table, mark))

    def handle_data(self, data: str) -> None:
        if self.hide_tag is not None or self.av:
            if "[sound:" in data and self.hide_tag not in _HIDDEN_TAGS:
                self.names.extend(_SOUND.findall(data))  # not shown, but the note's file
            return
        if _CONTROL.search(data):
            data = _CONTROL.sub("", data)
        if "\r" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
        if self.pre:
            self._flush_run()
            if "[sound:" in data:
                pos = 0
                for match in _SOUND.finditer(data):
                    self._verbatim(data[pos : match.start()])
                    self.names.append(match.group(1))
                    self.media += 1
                    self._verbatim(_placeholder("sound", match.group(1)))
                    pos = match.end()
                data = data[pos:]
            self._verbatim(data)
        else:
            self.pre_start = False
            if "[sound:" in data:
                self.names.extend(_SOUND.findall(data))
            self.run.append(data)

    def _hides(self, values: dict[str, str]) -> bool:
        style = values.get("style")
        if style and ("none" in style.lower() or "hidden" in style.lower() or "collapse" in style.lower()) and _style_hides(style):
            return True
        if self.hidden_classes and values.get("class"):
            return any(name in self.hidden_classes for name in values["class"].split())
        return False

    def _note_hidden_media(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "audio", "video", "source", "embed"):
            src = dict(attrs).get("src")
            if src:
                self.names.append(src)
        elif tag == "object":
            data = dict(attrs).get("data")
            if data:
                self.names.append(data)


def _kind_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif", "tiff", "avif", "ico"}:
        return "image"
    return "video" if ext in _VIDEO_EXT else "sound"
