"""Running the examples rules carry (``examples: {match: [...], no_match: [...]}``).

Each example is scored as a tiny call: the optional customer line, then the utterance spoken by
the rule's speaker (the agent unless the rule says otherwise). A ``match`` example passes when
the rule fires on the utterance; a ``no_match`` example passes when it does not. Window rules
(first/last turns) see a one- or two-turn call, so their window always holds the utterance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from .detect import Detector
from .detect.conversation import CALL_LEVEL
from .rules.model import Example, Rule
from .transcript import RoleAssignment, Transcript, Turn


@dataclass(frozen=True)
class ExampleResult:
    rule: Rule
    example: Example
    expected: bool  # True: must match
    fired: tuple[str, ...]  # the texts the rule matched
    others: tuple[str, ...]  # what other rules fired (for the failure report)

    @property
    def passed(self) -> bool:
        return bool(self.fired) == self.expected


def example_call(rule: Rule, example: Example) -> Transcript:
    if example.turns:
        return Transcript(id=f"{rule.id}@{example.line or 0}", source=rule.source, format="example",
                          roles=RoleAssignment("source"),
                          turns=tuple(Turn(s, s.title(), text, start, end) for s, text, start, end in example.turns))
    speaker = "customer" if rule.speaker == "customer" else "agent"
    turns = []
    if example.customer:
        turns.append(Turn("customer", "Customer", example.customer))
    turns.append(Turn(speaker, speaker.title(), example.text))
    return Transcript(id=f"{rule.id}@{example.line or 0}", turns=tuple(turns), source=rule.source,
                      format="example", roles=RoleAssignment("source"))


def run_examples(detector: Detector, rules: Sequence[Rule] | None = None) -> Iterator[ExampleResult]:
    """Yield one result per example of every rule (of ``rules``, default: all the detector's)."""
    for rule in rules if rules is not None else detector.rules:
        cases = [(e, True) for e in rule.examples_match] + [(e, False) for e in rule.examples_no_match]
        for example, expected in cases:
            call = example_call(rule, example)
            analysis = detector.analyze(call, explain=True)
            last = len(call.turns) - 1
            on_turn = [f for f in analysis.findings if f.turn == last]
            call_level = rule.kind == "metric" or rule.detector in CALL_LEVEL
            fired = tuple(f.text for f in analysis.findings if f.rule == rule.id and (
                (f.turn == last and f.kind != "missing") or (call_level and f.turn is None)))
            # the rule matched, and a longer match of its own category carries the behaviour
            fired += tuple(c.text for c in analysis.candidates if c.turn == last
                           and detector.rules[c.rule_index].id == rule.id and c.cancelled
                           and c.cancelled.startswith(f"overlaps a longer {rule.category} match"))
            others = tuple(f"{f.rule}: {f.text!r}" for f in on_turn if f.rule != rule.id)
            yield ExampleResult(rule, example, expected, fired, others)


def failures(results: Iterable[ExampleResult]) -> list[ExampleResult]:
    return [r for r in results if not r.passed]
