"""Rules are data: the dataclasses a rule file becomes, and the fixed behaviour vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Polarity = Literal["credit", "deduction"]
Severity = Literal["info", "minor", "major", "critical"]
Kind = Literal["match", "required", "forbidden", "metric"]
Scope = Literal["agent", "customer", "any"]

SEVERITIES: tuple[str, ...] = ("info", "minor", "major", "critical")
KINDS: tuple[str, ...] = ("match", "required", "forbidden", "metric")
SPEAKERS: tuple[str, ...] = ("agent", "customer", "any")

#: The behaviour names used by the default packs, every report and the JSON output, with the
#: polarity a rule of that category gets when it does not say.
CATEGORIES: dict[str, Polarity] = {
    "apology": "credit",
    "non-apology": "deduction",
    "empathy": "credit",
    "active-listening": "credit",
    "de-escalation": "credit",
    "escalation-trigger": "deduction",
    "ownership": "credit",
    "courtesy": "credit",
    "blame": "deduction",
    "rudeness": "deduction",
    "negative-language": "deduction",
    "next-steps": "credit",
    "greeting": "credit",
    "closing": "credit",
    "hold-etiquette": "credit",
    "verification": "credit",
    "customer-frustration": "deduction",
    "customer-issue": "deduction",
    # from timings and sentiment (rules/dynamics.yaml, rules/sentiment.yaml)
    "call-control": "deduction",
    "composure": "credit",
    "customer-sentiment": "deduction",
}

#: What the customer says, not what the agent does: context for rules (``after:``) and for the
#: scorecard (``applies_when:``), shown in reports, never scored as the agent's deduction.
CUSTOMER_CONTEXT: frozenset[str] = frozenset({"customer-frustration", "customer-issue"})

#: Cross-category overlap policy: a finding of the key category removes findings of the listed
#: categories that overlap it in the same turn ("I'm sorry you feel that way" is a
#: non-apology, not also an apology). Rules may add to this with ``suppresses:``.
DEFAULT_SUPPRESSES: dict[str, tuple[str, ...]] = {
    "non-apology": ("apology", "empathy"),
    "escalation-trigger": ("de-escalation", "empathy"),
    "blame": ("ownership",),
    "rudeness": ("courtesy",),
}


#: Conversation detectors written in Python (``detect/conversation.py``), used by a rule with
#: ``detector: NAME`` instead of ``patterns``; each with its parameters and their defaults.
DETECTORS: dict[str, dict[str, float]] = {
    # the agent restates content words of the customer's previous turn
    "reflection": {"min_shared": 2, "min_share": 0.3},
    # the agent asks for a detail (number, email, phone, name, date of birth) already given
    "repeat-request": {},
    # the agent addresses the customer by name (a name the customer gave, or Mr/Ms + name)
    "customer-name": {},
    # the agent committed to an action but never said what happens next (call level)
    "missing-next-steps": {"last_percent": 100},
}


@dataclass(frozen=True, slots=True)
class Pattern:
    """One pattern: a plain phrase, a Matcher token pattern, or a DependencyMatcher pattern."""

    kind: Literal["phrase", "tokens", "dependency"]
    value: Any  # str for phrase, list[dict] for tokens/dependency
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """Where in the call a rule looks: first/last N turns of its speaker, or a share of the call."""

    first_turns: int | None = None
    last_turns: int | None = None
    first_percent: float | None = None
    last_percent: float | None = None


@dataclass(frozen=True, slots=True)
class After:
    """Only fire when a finding of ``ref`` (a rule id or a category) was seen in the previous
    ``turns`` turns."""

    ref: str
    turns: int = 3


@dataclass(frozen=True, slots=True)
class Proximity:
    """Only fire when one of ``patterns`` matches within ``distance`` tokens of the match."""

    patterns: tuple[Pattern, ...]
    distance: int = 8


@dataclass(frozen=True, slots=True)
class Example:
    """An utterance (optionally after a customer line) that must or must not fire the rule."""

    text: str
    customer: str | None = None
    line: int | None = None
    turns: tuple[tuple[str, str, float | None, float | None], ...] = ()  # a whole call: (speaker, text, start, end)


@dataclass(frozen=True, slots=True)
class Metric:
    """One condition of a ``kind: metric`` rule: a threshold on a call-level figure."""

    name: str
    op: str
    value: float


#: The call-level figures metric rules may name (besides ``count.<category>`` and
#: ``count.rule.<id>``): conversation dynamics (detect/dynamics.py) and sentiment
#: (detect/sentiment.py). Each module documents its definitions.
DYNAMICS_METRICS = (
    "duration", "talk_time.agent", "talk_time.customer", "talk_ratio.agent", "non_talk_time",
    "dead_air.count", "dead_air.longest", "longest_monologue.agent", "talk_speed.agent",
    "response_latency.agent.median", "response_latency.agent.p90", "interruptions.agent",
    "interruptions.customer", "interruption_time.agent", "holds.count", "holds.silence",
    "holds.unthanked",
)
SENTIMENT_METRICS = ("sentiment.customer.start", "sentiment.customer.end", "sentiment.customer.change",
                     "sentiment.customer.after_empathy", "composure.hostile_turns", "composure.agent_slips")
METRIC_NAMES = DYNAMICS_METRICS + SENTIMENT_METRICS


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    polarity: Polarity
    severity: Severity
    message: str
    tip: str = ""
    link: str | None = None
    speaker: Scope = "agent"
    kind: Kind = "match"
    patterns: tuple[Pattern, ...] = ()
    unless: tuple[Pattern, ...] = ()
    negation: bool = True
    quoted: bool = False
    within: Window | None = None
    after: After | None = None
    proximity: Proximity | None = None
    metric: tuple[Metric, ...] = ()
    detector: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    suppresses: tuple[str, ...] = ()
    examples_match: tuple[Example, ...] = ()
    examples_no_match: tuple[Example, ...] = ()
    source: str = ""
    line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source
