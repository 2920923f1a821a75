"""The overlap policy, applied per turn after the context checks.

1. Within one category, overlapping matches count once: the longest wins (ties: the earliest).
2. Across categories, a finding suppresses overlapping findings of the categories its rule
   ``suppresses`` (defaults in ``rules.model.DEFAULT_SUPPRESSES``: a non-apology suppresses the
   apology it overlaps, an escalation trigger the de-escalation, blame the ownership, rudeness
   the courtesy). Suppressed matches are reported by ``poise rules explain``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from ..rules.model import DEFAULT_SUPPRESSES, Rule
from .finding import Candidate


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start_token < b.end_token and b.start_token < a.end_token


def apply_overlap_policy(candidates: Sequence[Candidate], rules: Sequence[Rule]) -> None:
    """Mark cancelled candidates in place (they all belong to one turn)."""
    live = [c for c in candidates if c.cancelled is None]
    by_category: dict[str, list[Candidate]] = defaultdict(list)
    for c in live:
        by_category[rules[c.rule_index].category].append(c)
    for group in by_category.values():
        group.sort(key=lambda c: (-(c.end_token - c.start_token), c.start_token))
        kept: list[Candidate] = []
        for c in group:
            winner = next((k for k in kept if _overlaps(k, c)), None)
            if winner is None:
                kept.append(c)
            else:
                c.cancelled = f"overlaps a longer {rules[c.rule_index].category} match " \
                              f"({rules[winner.rule_index].id}: {winner.text!r})"
    live = [c for c in candidates if c.cancelled is None]
    for c in live:
        rule = rules[c.rule_index]
        suppressed = set(DEFAULT_SUPPRESSES.get(rule.category, ())) | set(rule.suppresses)
        if not suppressed:
            continue
        for other in live:
            if other.cancelled is None and rules[other.rule_index].category in suppressed \
                    and _overlaps(c, other):
                other.cancelled = f"suppressed by {rule.category} ({rule.id}: {c.text!r})"
