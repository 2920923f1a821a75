"""Conversation dynamics from turn (or word) timings: talk time and ratio, silences and dead
air, the longest agent monologue, agent talk speed, response latency, interruptions and holds.

Every figure is None when the call has no timings (N/A, never zero). Definitions:

- ``talk_time.agent`` / ``.customer``: seconds of speech, the union of the speaker's turn
  (segment) spans, as Amazon's TalkTime counts it.
- ``talk_ratio.agent``: agent talk time / (agent + customer talk time).
- ``non_talk_time``: total seconds of silences of at least ``SILENCE_SECONDS`` (3 s) between
  the end of all speech and the next speech; ``dead_air.count``: silences over
  ``DEAD_AIR_SECONDS`` (10 s) not preceded by an announced hold.
- ``longest_monologue.agent``: the longest stretch of agent speech without a customer turn.
- ``talk_speed.agent``: agent words per minute of agent talk time.
- ``response_latency.agent.median`` / ``.p90``: seconds from the end of a customer turn to the
  start of the agent's reply (0 when the agent starts early).
- ``interruptions.agent`` (count) and ``interruption_time.agent`` (seconds): the agent starts
  speaking before the customer's last word ends, by at least ``MIN_OVERLAP`` (0.25 s), and the
  agent's overlapping words are not only a backchannel ("mhm", "okay", "yeah"): a listener's
  "mhm" is not an interruption. Likewise ``interruptions.customer``.
- ``holds.count``: announced holds ("can I place you on a brief hold"); ``holds.silence``: the
  silence after them; ``holds.unthanked``: holds after which the agent did not thank the
  customer within their next two turns.
"""

from __future__ import annotations

import re
import statistics
from typing import Any, Sequence

from ..rules.model import DYNAMICS_METRICS
from ..transcript import Transcript, Turn

SILENCE_SECONDS = 3.0
DEAD_AIR_SECONDS = 10.0
MIN_OVERLAP = 0.25
#: a listener's signals; fillers ("uh", "um") are not among them: they announce taking the turn
BACKCHANNEL = frozenset({"mhm", "mm", "mmhm", "mm-hmm", "uh-huh", "uhhuh", "okay", "ok", "yeah", "yes",
                         "yep", "right", "sure", "alright", "hmm", "oh", "bye"})
_HOLD = re.compile(r"\b(?:place|put|have) you on (?:a )?(?:brief |short |quick )?hold\b|\bhold (?:on|for) (?:a|one) "
                   r"(?:moment|minute|second)\b|\bbear with me\b|\b(?:one|a) moment(?:,)? (?:please|while)\b", re.I)
_THANKS = re.compile(r"\bthank(?:s| you) (?:so much |very much )?for (?:holding|waiting|your patience)\b|"
                     r"\bthanks? for bearing with me\b|\bsorry (?:about|for) the wait\b", re.I)
_WORD = re.compile(r"[\w'-]+")



def _speech(turn: Turn) -> list[tuple[float, float]]:
    """Speech spans of a turn: its word timings when they cover its words (some sources give
    only the first and last word of a segment: then the segment span), else start-end."""
    words = turn.extra.get("words") if hasattr(turn.extra, "get") else None
    if words and len(words) >= 0.8 * len(_WORD.findall(turn.text)):
        return [(float(w[0]), float(w[1])) for w in words if w[0] is not None and w[1] is not None]
    if turn.start is not None and turn.end is not None:
        return [(turn.start, turn.end)]
    return []


def _last_word_end(turn: Turn) -> float | None:
    spans = _speech(turn)
    return max(e for _, e in spans) if spans else turn.end


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _total(intervals: list[tuple[float, float]]) -> float:
    return sum(e - s for s, e in _merge(intervals))


def _overlap_words(interrupter: Turn, until: float) -> list[str]:
    words = interrupter.extra.get("words") or []
    if words:
        return [str(w[2]) for w in words if w[0] is not None and float(w[0]) < until]
    return _WORD.findall(interrupter.text)[:3]


def _is_backchannel(words: Sequence[str]) -> bool:
    cleaned = [w.lower().strip(".,!?") for w in words]
    return all(w in BACKCHANNEL for w in cleaned if w)


def interruptions(turns: Sequence[Turn]) -> dict[str, list[tuple[float, float]]]:
    """(start, seconds) of each interruption, by interrupter role."""
    found: dict[str, list[tuple[float, float]]] = {"agent": [], "customer": []}
    for prev, turn in zip(turns, turns[1:]):
        if prev.speaker == turn.speaker or turn.speaker not in found or turn.start is None:
            continue
        end = _last_word_end(prev)
        if end is None or end - turn.start < MIN_OVERLAP:
            continue
        if _is_backchannel(_overlap_words(turn, end)):
            continue
        found[turn.speaker].append((turn.start, round(end - turn.start, 2)))
    return found


def compute(transcript: Transcript) -> dict[str, Any]:
    """The dynamics metrics of one call (all None without timings)."""
    turns = [t for t in transcript.turns if t.start is not None]
    if not turns or not any(t.end is not None for t in turns):
        return {name: None for name in DYNAMICS_METRICS}
    agent = [(t.start, t.end) for t in turns if t.speaker == "agent" and t.end is not None]
    customer = [(t.start, t.end) for t in turns if t.speaker == "customer" and t.end is not None]
    talk_agent, talk_customer = _total(agent), _total(customer)
    speech = _merge([iv for t in turns for iv in _speech(t)])
    start = min(s for s, _ in speech) if speech else 0.0
    end = max(e for _, e in speech) if speech else 0.0
    silences = [(a_end, b_start - a_end) for (_, a_end), (b_start, _) in zip(speech, speech[1:])
                if b_start - a_end >= SILENCE_SECONDS]
    holds = _holds(turns, speech)
    hold_windows = [(h["at"], h["at"] + 10 + h["silence"]) for h in holds]
    dead_air = [(at, length) for at, length in silences if length > DEAD_AIR_SECONDS
                and not any(s <= at <= e for s, e in hold_windows)]
    latencies = [max(0.0, t.start - prev.end) for prev, t in zip(turns, turns[1:])
                 if prev.speaker == "customer" and t.speaker == "agent" and prev.end is not None]
    inter = interruptions(turns)
    agent_words = sum(len(_WORD.findall(t.text)) for t in turns if t.speaker == "agent")
    return {
        "duration": round(max(end, max((t.end or t.start) for t in turns)) - min(0.0, start), 2),
        "talk_time.agent": round(talk_agent, 2),
        "talk_time.customer": round(talk_customer, 2),
        "talk_ratio.agent": round(talk_agent / (talk_agent + talk_customer), 3) if talk_agent + talk_customer else None,
        "non_talk_time": round(sum(length for _, length in silences), 2),
        "silences": [{"at": round(a, 2), "seconds": round(length, 2)} for a, length in silences],
        "dead_air.count": len(dead_air),
        "dead_air.longest": round(max((length for _, length in dead_air), default=0.0), 2),
        "longest_monologue.agent": round(_longest_monologue(turns), 2),
        "talk_speed.agent": round(agent_words / (talk_agent / 60), 1) if talk_agent > 0 else None,
        "response_latency.agent.median": round(statistics.median(latencies), 2) if latencies else None,
        "response_latency.agent.p90": round(_percentile(latencies, 90), 2) if latencies else None,
        "interruptions.agent": len(inter["agent"]),
        "interruptions.customer": len(inter["customer"]),
        "interruption_time.agent": round(sum(d for _, d in inter["agent"]), 2),
        "interruption_list": [{"by": who, "at": at, "seconds": d} for who, items in inter.items() for at, d in items],
        "holds.count": len(holds),
        "holds.silence": round(sum(h["silence"] for h in holds), 2),
        "holds.unthanked": sum(1 for h in holds if not h["thanked"]),
        "hold_list": holds,
    }


def _longest_monologue(turns: Sequence[Turn]) -> float:
    longest, run_start, run_end = 0.0, None, None
    for t in turns:
        if t.speaker == "agent" and t.end is not None:
            run_start = t.start if run_start is None else run_start
            run_end = t.end
            longest = max(longest, run_end - run_start)
        elif t.speaker == "customer":
            run_start = run_end = None
    return longest


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _holds(turns: Sequence[Turn], speech: list[tuple[float, float]]) -> list[dict[str, Any]]:
    holds = []
    for i, t in enumerate(turns):
        if t.speaker != "agent" or not _HOLD.search(t.text):
            continue
        end = _last_word_end(t) or t.start
        # the hold is the longest silence before the agent's next-but-two turn ("sure" / "one
        # moment" exchanges often follow the hold line)
        horizon = next((x.start for x in turns[i + 1:] if x.speaker == "agent" and x.start is not None
                        and x.start > end + 5), None)
        gaps = [(s2 - e1, e1) for (s1, e1), (s2, e2) in zip(speech, speech[1:])
                if e1 >= end - 0.01 and (horizon is None or s2 <= horizon + 0.01)]
        silence, end = max(gaps, default=(0.0, end))
        later_agent = [x for x in turns[i + 1:] if x.speaker == "agent"][:2]
        thanked = any(_THANKS.search(x.text) for x in later_agent)
        holds.append({"turn": transcript_index(turns, t), "at": round(end, 2), "silence": round(max(0.0, silence), 2),
                      "thanked": thanked})
    return holds


def transcript_index(turns: Sequence[Turn], turn: Turn) -> int:
    return next(i for i, t in enumerate(turns) if t is turn)
