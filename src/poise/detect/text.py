"""Preparing turn text for matching: ASR fillers ("um", "uh") are removed and curly quotes
straightened so that phrases match how agents really talk, with a map back to the original
character offsets (findings always point into the text as written)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_FILLERS = re.compile(r"(?:,?\s+|^)(?:u+h+m*|u+m+|e+r+m+|h+m+|m+h*m+|a+h+)(?![\w'])[,.]?", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'"})


@dataclass(frozen=True, slots=True)
class CleanText:
    """Text prepared for matching, and how to map its offsets back to the original."""

    text: str
    _clean_starts: tuple[int, ...] = ()
    _shifts: tuple[int, ...] = ()

    def original(self, offset: int) -> int:
        """Map an offset in the cleaned text to the original text."""
        if not self._clean_starts:
            return offset
        i = bisect_right(self._clean_starts, offset) - 1
        return offset + (self._shifts[i] if i >= 0 else 0)


def clean(text: str) -> CleanText:
    text = text.translate(_QUOTES)
    if not _FILLERS.search(text):
        return CleanText(text)
    parts, starts, shifts = [], [], []
    removed = position = 0
    for m in _FILLERS.finditer(text):
        parts.append(text[position:m.start()])
        removed += m.end() - m.start()
        position = m.end()
        starts.append(m.start() - (removed - (m.end() - m.start())))
        shifts.append(removed)
    parts.append(text[position:])
    return CleanText("".join(parts), tuple(starts), tuple(shifts))
