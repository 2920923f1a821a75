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


def metric_findings(rules: Iterable[Rule], metrics: Mapping[str, float | None]) -> list[Finding]:
    out = []
    for rule in rules:
        assert rule.metric is not None
        value = metric_value(rule.metric.name, metrics)
        if value is None or not OPS[rule.metric.op](value, rule.metric.value):
            continue
        shown = int(value) if float(value).is_integer() else round(value, 2)
        out.append(Finding(rule=rule.id, category=rule.category, polarity=rule.polarity,
                           severity=rule.severity, turn=None, speaker=None, start=None, end=None,
                           text=f"{rule.metric.name} = {shown}", message=rule.message, tip=rule.tip,
                           kind="metric", link=rule.link))
    return out
