"""The one rule for characters in text typed into Growth (forms and imported files alike).

Refused everywhere: C0 controls (U+0000–U+001F) other than newline and tab, DEL, C1 controls
(U+0080–U+009F, among them NEL U+0085 and CSI U+009B) and Unicode's bidi controls (the
embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, and the marks U+061C,
U+200E, U+200F), which can make text read differently from what it says. Single-line
text (names, titles, emails, links, action items) also refuses line breaks (CR, LF, the
line and paragraph separators) and tabs; multi-line text keeps its line breaks (CRLF, as
browsers send them, LF, U+2028, U+2029) and tabs, but no CR on its own.
"""

from enum import Enum

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\r\n\u2028\u2029")


class Refused(Enum):
    CONTROL = "control"  # an invisible control character: refused in any text
    LINE_BREAK = "line_break"  # a line break or tab in a single-line field


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in BIDI_CONTROLS


def refused_character(text: str, *, multiline: bool) -> Refused | None:
    """What is wrong with `text` under the rule above, or None when nothing is."""
    if multiline:
        text = text.replace("\r\n", "\n")
    for ch in text:
        if multiline:
            if ch == "\n" or ch == "\t" or ch in LINE_BREAKS - {"\r"}:
                continue
        elif ch in LINE_BREAKS or ch == "\t":
            return Refused.LINE_BREAK
        if _is_control(ch):
            return Refused.CONTROL
    return None
