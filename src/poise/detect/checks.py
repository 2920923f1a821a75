"""Per-match checks, each a small function over the Doc: negation (a NegEx-style look-back
window within the clause), quotation, ``unless`` in the same sentence, ``proximity``, and the
``within`` window. Each returns the reason a match is cancelled, or None."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

from ..rules.model import Rule, Window

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

#: Words that negate what follows them in the same clause.
NEGATION_TRIGGERS = frozenset({
    "not", "n't", "never", "no", "without", "neither", "nor", "hardly", "barely", "nobody",
    "nothing", "none", "cannot", "dont", "didnt", "doesnt", "wont", "cant", "isnt", "arent",
    "wasnt", "werent", "havent", "hasnt", "shouldnt", "couldnt", "wouldnt", "aint", "nt",
})
#: Tokens that end the clause the look-back window may cross.
CLAUSE_BOUNDARIES = frozenset({",", ";", ":", ".", "?", "!", "-", "--", "—", "–", "but", "however",
                               "although", "though", "because", "and", "so", "or", "yet", "while"})
NEGATION_WINDOW = 5


def negated(doc: "Doc", start: int) -> bool:
    """True when a negation word stands within NEGATION_WINDOW tokens before ``start`` in its clause.

    "no longer" counts through its "no". A negation that is itself the first word of a fixed
    phrase ("no problem") lies inside the match, so it does not count.
    """
    for i in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
        token = doc[i]
        lower = token.lower_
        if lower in CLAUSE_BOUNDARIES:
            return False
        if lower in NEGATION_TRIGGERS:
            return True
        if token.is_sent_start:
            return False
    return False


def quoted(text: str, start: int) -> bool:
    """True when the character offset lies inside double quotes (an odd number precede it)."""
    return text.count('"', 0, start) % 2 == 1


def sentence_bounds(doc: "Doc", token: int) -> tuple[int, int]:
    """Token start and end of the sentence holding ``token``, found from the sentence-start flags
    next to it (``Token.sent`` walks the whole Doc for every call)."""
    lo = token
    while lo > 0 and not doc[lo].is_sent_start:
        lo -= 1
    hi, n = token + 1, len(doc)
    while hi < n and not doc[hi].is_sent_start:
        hi += 1
    return lo, hi


def cancelled_by_unless(doc: "Doc", span: tuple[int, int], unless: Sequence[tuple[int, int]]) -> bool:
    if not unless:
        return False
    lo, hi = sentence_bounds(doc, span[0])
    return any(lo <= s < hi or lo < e <= hi for s, e in unless)


def near_enough(span: tuple[int, int], near: Sequence[tuple[int, int]], distance: int) -> bool:
    start, end = span
    for s, e in near:
        gap = s - end if s >= end else start - e if e <= start else 0
        if (s, e) != span and gap <= distance:
            return True
    return False


def in_window(window: Window | None, turn: int, speaker_turns: Sequence[int], n_turns: int) -> bool:
    """Whether turn index ``turn`` lies in the window.

    ``first_turns``/``last_turns`` count the turns of the rule's speaker (the first two agent
    turns); ``first_percent``/``last_percent`` count all the call's turns, at least one.
    """
    if window is None:
        return True
    if window.first_turns is not None:
        return turn in speaker_turns[: int(window.first_turns)]
    if window.last_turns is not None:
        return turn in speaker_turns[-int(window.last_turns):]
    if window.first_percent is not None:
        return turn < max(1, math.ceil(n_turns * window.first_percent / 100))
    if window.last_percent is not None:
        return turn >= n_turns - max(1, math.ceil(n_turns * window.last_percent / 100))
    return True


def speaker_matches(rule: Rule, speaker: str) -> bool:
    return rule.speaker == "any" or rule.speaker == speaker
