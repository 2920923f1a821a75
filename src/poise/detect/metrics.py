"""``kind: metric`` rules: thresholds on call-level figures.

The figures a call offers are named like ``count.apology`` (findings of a category in the call,
any speaker) or ``count.rule.<rule id>``; the conversation-dynamics stage adds timing metrics.
A figure the call cannot give (no timings, say) makes the rule not applicable: no finding,
never a zero.
"""

from __future__ import annotations

import operator
from collections import Counter
from typing import Iterable, Mapping

from ..rules.model import Rule
from .finding import Finding

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
       "==": operator.eq, "!=": operator.ne}


def count_metrics(findings: Iterable[Finding]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for f in findings:
        if f.kind in ("match", "forbidden"):
            counts[f"count.{f.category}"] += 1
            counts[f"count.rule.{f.rule}"] += 1
    return dict(counts)


def metric_value(name: str, metrics: Mapping[str, float | None]) -> float | None:
    if name in metrics:
        return metrics[name]
    if name.startswith("count."):
        return 0.0  # a count of something that never happened is a real zero
    return None


def applicable(rule: Rule, metrics: Mapping[str, float | None]) -> bool:
    """A metric rule applies when the call can give every figure it names."""
    return all(metric_value(m.name, metrics) is not None for m in rule.metric)


def metric_findings(rules: Iterable[Rule], metrics: Mapping[str, float | None]) -> list[Finding]:
    out = []
    for rule in rules:
        values = [metric_value(m.name, metrics) for m in rule.metric]
        if any(v is None for v in values) or not all(
                OPS[m.op](v, m.value) for m, v in zip(rule.metric, values)):
            continue
        shown = ", ".join(f"{m.name} = {_show(v)}" for m, v in zip(rule.metric, values))
        out.append(Finding(rule=rule.id, category=rule.category, polarity=rule.polarity,
                           severity=rule.severity, turn=None, speaker=None, start=None, end=None,
                           text=shown, message=rule.message, tip=rule.tip, kind="metric", link=rule.link))
    return out


def _show(value: float | None) -> str:
    assert value is not None
    return str(int(value)) if float(value).is_integer() else str(round(value, 2))
