"""Masking personal data in everything poise writes: card numbers (Luhn-checked), SSNs, phone
numbers, email addresses and long digit runs become tags such as ``[CARD]`` or ``[EMAIL]``.
Tags already put in by vendors (``[PII]``, ``[NAME]``...) are kept as they are.

Detection runs on the original text (a detector may need to see that a number was given);
masking happens when results are built, with finding offsets moved to the masked text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_PHONE = re.compile(r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}\b")
_DIGITS = re.compile(r"\b\d(?:[ -]?\d){5,}\b")
_SPOKEN_EMAIL = re.compile(r"\b[\w.]+(?: (?:dot|underscore) [\w.]+)* at (?:gmail|yahoo|outlook|hotmail|icloud|aol|[a-z]+mail) dot (?:com|net|org)\b", re.I)

_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?)?\b")

# order matters: the first pattern to claim characters wins; KEEP claims without masking
# (ISO dates such as 2024-11-21 are call metadata, not personal data). The third item is what a
# text must contain for the pattern to have any chance: most turns hold no digit, no "@" and no
# spoken address, and then the patterns are not run at all (the same result, several times faster).
_DIGIT, _AT, _SPOKEN = "digit", "@", "spoken"
_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("KEEP", _DATE, _DIGIT), ("EMAIL", _EMAIL, _AT), ("EMAIL", _SPOKEN_EMAIL, _SPOKEN), ("SSN", _SSN, _DIGIT),
    ("CARD", _CARD, _DIGIT), ("PHONE", _PHONE, _DIGIT), ("NUMBER", _DIGITS, _DIGIT),
)
_ANY_DIGIT = re.compile(r"\d")


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Redacted:
    """Masked text, and where each original span went (for moving offsets)."""

    text: str
    edits: tuple[tuple[int, int, int, int], ...] = ()  # (orig_start, orig_end, new_start, new_end)

    def offset(self, original: int, end: bool = False) -> int:
        """Map an offset in the original text to the masked text; inside a masked span it
        snaps to the span's start (or its end, for an end offset)."""
        if not self.edits:
            return original
        i = bisect_right([e[0] for e in self.edits], original) - 1
        if i < 0:
            return original
        o_start, o_end, n_start, n_end = self.edits[i]
        if original >= o_end:
            return original - o_end + n_end
        return n_end if end and original > o_start else n_start


def _possible(text: str) -> set[str]:
    """Which of the patterns' needs the text meets (see ``_PATTERNS``)."""
    found = set()
    if _ANY_DIGIT.search(text):
        found.add(_DIGIT)
    if "@" in text:
        found.add(_AT)
    if " at " in text.lower() and " dot " in text.lower():  # _SPOKEN_EMAIL (case-insensitive)
        found.add(_SPOKEN)
    return found


def redact(text: str) -> Redacted:
    claimed: list[tuple[int, int, str]] = []
    possible = _possible(text)
    if not possible:
        return Redacted(text)
    for tag, pattern, need in _PATTERNS:
        if need not in possible:
            continue
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in claimed):
                continue
            if tag == "CARD" and not luhn_ok(re.sub(r"\D", "", m.group())):
                continue
            claimed.append((m.start(), m.end(), tag))
    claimed = [c for c in claimed if c[2] != "KEEP"]
    if not claimed:
        return Redacted(text)
    claimed.sort()
    parts, edits, position, shift = [], [], 0, 0
    for start, end, tag in claimed:
        parts.append(text[position:start])
        replacement = f"[{tag}]"
        new_start = start + shift
        parts.append(replacement)
        edits.append((start, end, new_start, new_start + len(replacement)))
        shift += len(replacement) - (end - start)
        position = end
    parts.append(text[position:])
    return Redacted("".join(parts), tuple(edits))


def redact_value(value: object) -> object:
    """Mask strings inside metadata (nested dicts and lists too)."""
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value
