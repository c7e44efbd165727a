"""Neutralise terminal control sequences in untrusted card text.

Card text comes from files other people wrote; printed raw, an escape
sequence could recolour, retitle or rewrite the user's terminal. We keep
printable text, newlines and tabs, and drop everything else that a terminal
would interpret.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings
# (ESC ] ... BEL or ST), and two-character escapes. Also their 8-bit C1 forms.
_ESCAPES = (
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?            # CSI
  | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, ...
  | \x1b[ -/]*[0-~]?                    # other escapes
    """
)
# C0 controls except tab and newline, DEL, C1 controls, and the Unicode
# bidirectional overrides/isolates that reorder what the user sees.
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"


# Around a revealed cloze deletion in a card's answer: the review screen
# highlights it, every other output shows it in [brackets] (``unmark``).
# Private-use characters, which no card text has and no conversion touches.
HL_OPEN, HL_CLOSE = "\ue010", "\ue011"


def unmark(text: str) -> str:
    """Highlighted spans as ``[text]``, for plain outputs."""
    if HL_OPEN not in text:
        return text
    return text.replace(HL_OPEN, "[").replace(HL_CLOSE, "]")


@lru_cache(maxsize=None)
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled on first use, not at import: `studycards --help` never needs them."""
    return re.compile(_ESCAPES, re.VERBOSE | re.DOTALL), re.compile(_CONTROLS)


def sanitize(text: str) -> str:
    """``text`` with every terminal control sequence removed."""
    if text.isprintable():
        return text  # no control character, so no sequence either: the common case, at C speed
    escapes, controls = _compiled()
    text = text.replace("\r\n", "\n")
    return controls.sub("", escapes.sub("", text))
