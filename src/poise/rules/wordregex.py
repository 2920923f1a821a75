"""Token patterns made of word tests are regular expressions over words. They are compiled to
one Python regex per rule part and run over the turn's lower-case words joined by spaces: the
same matches as spaCy's Matcher (one per start position, the longest there), at C speed instead
of Python-level predicates. Patterns using other attributes stay with the Matcher.

Supported token tests: ``LOWER`` as a word, ``IN``, ``NOT_IN`` or ``REGEX`` (when the regex
cannot match a space); ``ORTH``/``TEXT`` without letters (punctuation); ``IS_SENT_START``;
``IS_PUNCT``, ``IS_ALPHA`` and ``LIKE_NUM`` (character-class equivalents of spaCy's flags); the
empty token ``{}``; and every ``OP`` (``?``, ``*``, ``+``, ``!``, ``{n}``, ``{m,n}``).
Sentence starts are marked in the word string with ``\\x01`` before the word.
"""

from __future__ import annotations

import re
from typing import Sequence

SENT = "\x01"
_QUANT = re.compile(r"^\{(\d*)(?:,(\d*))?\}$")
_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                 "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
                 "eighty ninety hundred thousand million billion trillion").split()
_WORD = r"[^ ]+"
_CAN_CROSS_SPACE = re.compile(r"\.|\\[sSWDB]|\[\^|\\x20| ")


def _alternatives(words: Sequence[str]) -> str:
    return "(?:" + "|".join(sorted({re.escape(w.lower()) for w in words}, key=len, reverse=True)) + ")"


def _within_word(inner: str) -> str | None:
    """spaCy tests REGEX with re.search on the token text: anywhere in the word unless anchored.
    Translated only when it cannot match a space (no '.', \\s, \\S, \\W, negated classes)."""
    if _CAN_CROSS_SPACE.search(inner) or "(?" in inner:
        return None
    start = inner.startswith("^")
    end = inner.endswith("$") and not inner.endswith("\\$")
    core = inner[1 if start else 0: -1 if end else None]
    try:
        re.compile(core)
    except re.error:
        return None
    return ("" if start else "[^ ]*?") + f"(?:{core})" + ("" if end else "[^ ]*") + "(?= )"


def _value_regex(value: object) -> str | None:
    """The regex for one word (without the trailing space) for a LOWER value."""
    if isinstance(value, str):
        return re.escape(value.lower())
    if isinstance(value, dict) and len(value) == 1:
        [(op, arg)] = value.items()
        if op == "IN" and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
            return _alternatives(arg)
        if op == "NOT_IN" and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
            return f"(?!{_alternatives(arg)} ){_WORD}"
        if op == "REGEX" and isinstance(arg, str):
            return _within_word(arg)
    return None


def _token_regex(token: dict) -> str | None:
    tests: list[str] = []
    sentence = ""
    for attr, value in token.items():
        if attr == "OP":
            continue
        if attr == "LOWER":
            body = _value_regex(value)
        elif attr in ("ORTH", "TEXT"):
            words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            if not isinstance(words, list) or not all(isinstance(w, str) and not re.search(r"[^\W\d_]", w)
                                                       for w in words):
                return None  # case-sensitive words stay with the Matcher
            body = _value_regex(value if isinstance(value, str) else {"IN": words})
        elif attr == "IS_SENT_START" and isinstance(value, bool):
            sentence = SENT if value else f"(?!{SENT})"
            continue
        elif attr == "IS_PUNCT" and isinstance(value, bool):
            body = r"[^\w ]+(?= )" if value else rf"(?![^\w ]+ ){_WORD}"
        elif attr == "IS_ALPHA" and isinstance(value, bool):
            body = r"[^\W\d_]+(?= )" if value else rf"(?![^\W\d_]+ ){_WORD}"
        elif attr == "LIKE_NUM" and value is True:
            body = r"(?:[+-]?[\d.,/]*\d[\d.,/]*|" + "|".join(_NUMBER_WORDS) + r")(?= )"
        else:
            return None
        if body is None:
            return None
        tests.append(body)
    if not tests:
        core = _WORD
    else:
        # every test must hold for the same word: lookaheads for all but the last
        core = "".join(f"(?={t} )" for t in tests[:-1]) + tests[-1]
    # possessive: a sentence mark is never given back, so NOT_IN and other lookaheads see the word
    fragment = f"{sentence or SENT + '?+'}{core} "
    op = token.get("OP")
    if op is None:
        return fragment
    if op in ("?", "*", "+"):
        return f"(?:{fragment}){op}"
    if op == "!":
        return f"(?!{fragment}){SENT}?+{_WORD} "
    quant = _QUANT.match(str(op))
    if quant:
        return f"(?:{fragment}){op}"
    return None


def pattern_regex(tokens: Sequence[dict]) -> str | None:
    parts = [_token_regex(t) for t in tokens]
    if not parts or any(p is None for p in parts):
        return None
    return "".join(parts)  # type: ignore[arg-type]


def _literal_words(token: dict) -> set[str] | None:
    """The words a token can be, when its word test is a finite list (LOWER, or ORTH/TEXT of
    punctuation, as a word or an IN list); None when it can be any word (NOT_IN, REGEX, flags)."""
    for attr in ("LOWER", "ORTH", "TEXT"):
        value = token.get(attr)
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
            words = value["IN"]
        else:
            continue
        if all(isinstance(w, str) and w and not any(c.isspace() for c in w) for w in words):
            return {w.lower() for w in words}
        return None
    return None


def first_words(tokens: Sequence[dict]) -> set[str] | None:
    """Every word a match of the pattern can start with (the leading optional tokens' words and
    the first required token's), or None when that is not a finite list. A match found by
    ``pattern_regex`` starts at one of these words, so the regex need only be tried there."""
    first: set[str] = set()
    for token in tokens:
        op = token.get("OP")
        if op == "!":
            return None
        words = _literal_words(token)
        if words is None:
            return None
        first |= words
        quant = _QUANT.match(str(op)) if op else None
        optional = op in ("?", "*") or (quant is not None and (quant.group(1) or "0") == "0")
        if not optional:
            return first
    return first  # every token optional: a match still starts at one of their words


def regex_source(bodies: Sequence[str]) -> str:
    """The source of one regex for several patterns' bodies (``pattern_regex``), finding the
    longest match at every word start."""
    return " (?=(" + "|".join(f"(?:{b})" for b in bodies) + "))"


def compile_patterns(patterns: Sequence[Sequence[dict]]) -> re.Pattern[str] | None:
    """One regex for several token patterns (None when one has no word-regex form)."""
    bodies = [pattern_regex(p) for p in patterns]
    if not bodies or any(b is None for b in bodies):
        return None
    return re.compile(regex_source(bodies))  # type: ignore[arg-type]


class WordString:
    """A Doc's lower-case words joined by single spaces (sentence starts marked), with the map
    from character offsets back to token indices (and from each token to its offset)."""

    __slots__ = ("text", "_start_of", "_offsets")

    def __init__(self, words: Sequence[str], sentence_starts: Sequence[bool] = ()) -> None:
        pieces, start_of, offsets, position = [" "], {}, [], 1
        for i, word in enumerate(words):
            word = word.replace(" ", "\x00").replace(SENT, "") or "\x00"
            if sentence_starts and sentence_starts[i]:
                word = SENT + word
            start_of[position] = i
            offsets.append(position)
            pieces.append(word + " ")
            position += len(word) + 1
        start_of[position] = len(words)
        self.text = "".join(pieces)
        self._start_of = start_of
        self._offsets = offsets

    def spans(self, regex: re.Pattern[str]) -> list[tuple[int, int]]:
        out = []
        for m in regex.finditer(self.text):
            if m.end(1) > m.start(1):
                out.append((self._start_of[m.start(1)], self._start_of[m.end(1)]))
        return out

    def spans_at(self, regex: re.Pattern[str], starts: Sequence[int]) -> list[tuple[int, int]]:
        """``spans`` when matches can only start at these tokens (``first_words``): the regex
        is tried at the space before each of them instead of at every word."""
        out = []
        text, start_of, offsets = self.text, self._start_of, self._offsets
        for i in starts:
            m = regex.match(text, offsets[i] - 1)
            if m is not None and m.end(1) > m.start(1):
                out.append((start_of[m.start(1)], start_of[m.end(1)]))
        return out
