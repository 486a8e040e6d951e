"""Target-supplied text made safe to print: control characters and invisible reordering escaped.

Everything the scanned project controls (file names, test names and assertion messages, tool
output, requirement lines) can hold terminal escape sequences (``\\x1b[2K`` erases a line, ``\\r``
returns to its start), newlines that start a fake line of output, or Unicode bidirectional
controls that reorder what a reader sees. :func:`printable` shows each of them as a visible
escape (``\\x1b``, ``\\n``, ``\\u202e``) so that no target text can draw a line of its own, such as
a fake "Trust score 100.0 / GATE PASSED". Multi-line blocks (a stderr tail, a JUnit failure body)
keep their newlines with ``keep_newlines=True``; carriage returns and every other control are
still escaped.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, and the Unicode format characters that reorder or hide
# text: bidi embeddings/overrides/isolates, zero-width marks, line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape ('' for None)."""
    if text is None:
        return ""
    value = str(text)
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_visible, value)
