"""Rule regexes (``REGEX`` in token patterns) are checked before use: they must compile and must
not have the shapes that backtrack catastrophically (a quantified group that itself contains a
quantifier, such as ``(a+)+`` or ``(\\w*\\s?)*``, or alternatives that overlap under a quantifier
such as ``(a|a)*``). Token texts are short, which bounds the rest."""

from __future__ import annotations

import re

MAX_REGEX_LENGTH = 300

_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")
_QUANTIFIED_ALTERNATION = re.compile(r"\(((?:[^()\\|]|\\.)+)\|\1\)[+*]")


def check_regex(pattern: str) -> str | None:
    """Return a plain-English reason the regex is refused, or None if it is acceptable."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"regex is {len(pattern)} characters long; keep rule regexes under {MAX_REGEX_LENGTH}"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regex {pattern!r}: {exc}"
    if _NESTED_QUANTIFIER.search(pattern):
        return (f"regex {pattern!r} nests a quantifier inside a quantified group, which can take "
                "exponential time (catastrophic backtracking); flatten it, e.g. (ab)+ instead of (a+b*)+")
    if _QUANTIFIED_ALTERNATION.search(pattern):
        return f"regex {pattern!r} repeats overlapping alternatives, which can backtrack catastrophically"
    return None


def iter_regexes(value: object):
    """Yield every string under a ``REGEX`` key anywhere in a token or dependency pattern."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "REGEX" and isinstance(item, str):
                yield item
            else:
                yield from iter_regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_regexes(item)
