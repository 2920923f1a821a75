"""Per-turn sentiment and what it says about the call: the customer's trajectory, whether
de-escalation worked, and whether the agent stayed composed while the customer was hostile.

The lexicon model is VADER (vaderSentiment, MIT; its lexicon ships inside the package), adapted
for this domain: in agent turns the words of apologies and empathy ("I'm sorry for the
trouble", "I understand your frustration") are neutralised before scoring, because an agent
naming the customer's trouble is not agent negativity. ``--sentiment vendor`` uses the
vendor's per-turn labels (Amazon's POSITIVE / NEGATIVE / NEUTRAL / MIXED) where the source
has them. A customer turn where a customer-frustration rule fired ("are you serious", "this is
the third time I've called", a threat to cancel) scores at most ``FRUSTRATED``: VADER reads
"Are you serious? I trusted what your employee said" as positive (it knows "trusted", not
sarcasm), and such turns carry the frustration the trajectory is meant to show.

Metrics (None when not computable):
- ``sentiment.customer.start`` / ``.end``: mean compound score (-1..1) of the customer's turns
  in the first / last third of the call; ``sentiment.customer.change`` = end - start.
- ``sentiment.customer.after_empathy``: mean of the customer's next 3 turns after the agent's
  first de-escalation or empathy finding, minus the mean of the 3 before it.
- ``composure.hostile_turns``: customer turns that are hostile (a customer-frustration finding,
  or compound <= HOSTILE).
- ``composure.agent_slips``: agent replies to a hostile turn that mirror it: compound <= SLIP
  (after neutralising), or a rudeness, blame or escalation-trigger finding.
"""

from __future__ import annotations

import re
import statistics
import string
from functools import lru_cache
from typing import Any, Mapping, Sequence

from ..transcript import Transcript
from .finding import Finding

HOSTILE = -0.5
#: The most a customer turn with a customer-frustration finding scores (lexicon source only).
FRUSTRATED = HOSTILE
SLIP = -0.3
WINDOW = 3
VENDOR_SCORES = {"POSITIVE": 0.6, "NEGATIVE": -0.6, "NEUTRAL": 0.0, "MIXED": 0.0}
_AGENT_NEUTRAL = re.compile(
    r"\b(?:sorry|apologi[sz]e[sd]?|apologies|apology|regret|frustrat\w*|trouble|troubles|inconvenience\w*|"
    r"problem|problems|issue|issues|upset|annoy\w*|stress\w*|worr\w*|concern\w*|difficult\w*|hassle|"
    r"mistake|error|unfortunate)\b", re.I)
_MIRRORING = frozenset({"rudeness", "blame", "escalation-trigger"})
SOURCES = ("lexicon", "vendor")



@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    return SentimentIntensityAnalyzer()


def lexicon_score(text: str, speaker: str) -> float:
    if speaker == "agent":
        text = _AGENT_NEUTRAL.sub("", text)
    if not text.strip():
        return 0.0
    analyzer = _analyzer()
    if text.isascii() and analyzer.lexicon.keys().isdisjoint(map(_vader_word, text.lower().split())):
        # VADER gives a valence only to lexicon words (and emoji, which are not ASCII); boosters,
        # negations, "but" and "!" only scale those. No lexicon word: its compound is exactly 0.
        return 0.0
    return _compound(text)


@lru_cache(maxsize=20_000)
def _compound(text: str) -> float:
    """VADER's compound score, remembered: short turns recur across calls ("Thank you so much.",
    "Okay, perfect."). In Switchboard's 192,390 real utterances, 34% of those VADER has to score
    are the exact text of an earlier one. Bounded, so memory stays flat."""
    return _analyzer().polarity_scores(text)["compound"]


def clear_cache() -> None:
    _compound.cache_clear()


def _vader_word(token: str) -> str:
    """A whitespace token as VADER reads it (SentiText._strip_punc_if_word)."""
    stripped = token.strip(string.punctuation)
    return token if len(stripped) <= 2 else stripped


def vendor_score(extra: Mapping[str, Any]) -> float | None:
    label = extra.get("sentiment")
    if isinstance(label, str):
        return VENDOR_SCORES.get(label.upper())
    return None


def lexicon_scores(transcript: Transcript) -> list[float | None]:
    return [lexicon_score(t.text, t.speaker) if t.speaker in ("agent", "customer") else None
            for t in transcript.turns]


def _mean(values: Sequence[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.fmean(values), 3) if values else None


def compute(transcript: Transcript, findings: Sequence[Finding], source: str = "lexicon") -> dict[str, Any]:
    vendor = [vendor_score(t.extra) for t in transcript.turns]
    has_vendor = any(v is not None for v in vendor)
    used = "vendor" if source == "vendor" and has_vendor else "lexicon"  # vendor needs the source's labels
    frustrated = {f.turn for f in findings if f.category == "customer-frustration" and f.turn is not None}
    if used == "vendor":
        scores = vendor
    else:
        scores = [min(s, FRUSTRATED) if s is not None and i in frustrated and transcript.turns[i].speaker == "customer"
                  else s for i, s in enumerate(lexicon_scores(transcript))]
    n = len(transcript.turns)
    customer = [i for i, t in enumerate(transcript.turns) if t.speaker == "customer"]
    third = max(1, n // 3)
    start = _mean([scores[i] for i in customer if i < third])
    end = _mean([scores[i] for i in customer if i >= n - third])
    metrics: dict[str, Any] = {
        "sentiment.source": used,
        "sentiment.turns": [None if s is None else round(s, 3) for s in scores],
        "sentiment.customer.start": start,
        "sentiment.customer.end": end,
        "sentiment.customer.change": round(end - start, 3) if start is not None and end is not None
        and len(customer) >= 2 else None,
    }
    if source == "lexicon" and has_vendor:
        metrics["sentiment.vendor_turns"] = vendor
    calming = [f.turn for f in findings if f.category in ("de-escalation", "empathy")
               and f.polarity == "credit" and f.turn is not None]
    if calming:
        pivot = calming[0]
        before = [scores[i] for i in customer if i < pivot][-WINDOW:]
        after = [scores[i] for i in customer if i > pivot][:WINDOW]
        b, a = _mean(before), _mean(after)
        metrics["sentiment.customer.after_empathy"] = round(a - b, 3) if a is not None and b is not None else None
    else:
        metrics["sentiment.customer.after_empathy"] = None
    hostile = [i for i in customer if i in frustrated or (scores[i] is not None and scores[i] <= HOSTILE)]
    mirrored = {f.turn for f in findings if f.category in _MIRRORING and f.turn is not None}
    slips = 0
    for i in hostile:
        reply = next((j for j in range(i + 1, n) if transcript.turns[j].speaker == "agent"), None)
        if reply is not None and (reply in mirrored or (scores[reply] is not None and scores[reply] <= SLIP)):
            slips += 1
    metrics["composure.hostile_turns"] = len(hostile)
    metrics["composure.agent_slips"] = slips
    return metrics
