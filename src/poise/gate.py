"""The CI gate: decide whether a run passes, and say exactly which call or finding broke it.

- ``fail_under``: a call scoring below it fails.
- ``fail_on``: a deduction of that severity or worse fails (with a baseline: only new ones).
- ``baseline`` (a JSON report from ``poise score --format json``): a deduction is new when its
  call id and rule had fewer such findings (by matched words) in the baseline, so moving a line
  is not a new finding; with ``max_drop``, a call whose score fell by more than that fails.
- Unreadable inputs fail unless allowed. Suppressed findings and the customer's own
  frustration never fail a gate.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import ConfigError
from .results import CallResult, is_agent_deduction
from .scoring import SEVERITY_RANK


@dataclass(frozen=True)
class GateOptions:
    fail_under: float | None = None
    fail_on: str | None = None
    baseline: Path | None = None
    max_drop: float | None = None
    allow_unreadable: bool = False


@dataclass(frozen=True)
class BaselineCall:
    score: float | None
    deductions: Mapping[str, Counter]  # rule -> Counter of matched words


def load_baseline(path: Path) -> dict[str, BaselineCall]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline: {exc.strerror or exc}", str(path)) from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the baseline is not JSON ({exc.msg})", str(path), exc.lineno, exc.colno) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("calls"), list):
        raise ConfigError("the baseline must be a poise JSON report (poise score --format json --output FILE)",
                          str(path))
    calls = {}
    for call in doc["calls"]:
        deductions: dict[str, Counter] = {}
        for f in call.get("findings", []):
            if _counts(f):
                deductions.setdefault(f["rule"], Counter())[_key(f)] += 1
        calls[str(call["id"])] = BaselineCall(call.get("score"), deductions)
    return calls


def _counts(finding: Mapping[str, Any]) -> bool:
    return is_agent_deduction(finding)


def _key(finding: Mapping[str, Any]) -> str:
    return " ".join(str(finding.get("text") or finding.get("message") or "").lower().split())


def _line(result: CallResult, finding: Mapping[str, Any] | None) -> int | None:
    if finding is None or finding.get("turn") is None:
        return result.turns[0].get("line") if result.format == "script" and result.turns else None
    return result.turns[finding["turn"]].get("line")


def new_deductions(result: CallResult, baseline: BaselineCall | None) -> list[Mapping[str, Any]]:
    """Deductions not in the baseline for this call (a call missing from the baseline: all)."""
    current = [f for f in result.findings if _counts(f)]
    if baseline is None:
        return current
    remaining = {rule: Counter(c) for rule, c in baseline.deductions.items()}
    new = []
    for f in current:
        seen = remaining.get(f["rule"])
        if seen and seen[_key(f)] > 0:
            seen[_key(f)] -= 1
        elif seen and sum(seen.values()) > 0 and f.get("kind") in ("missing", "metric"):
            seen[next(iter(+seen))] -= 1  # a call-level finding whose text changed is the same finding
        else:
            new.append(f)
    return new


def evaluate(results: Sequence[CallResult], errors: Sequence[Any], options: GateOptions) -> dict[str, Any]:
    baseline = load_baseline(options.baseline) if options.baseline else None
    failures: list[dict[str, Any]] = []
    for r in results:
        if options.fail_under is not None and r.score is not None and r.score < options.fail_under:
            why = f" (auto-fail: {r.auto_fail})" if r.auto_fail else ""
            failures.append(_failure(r, "score", f"score {r.score:g} is below --fail-under {options.fail_under:g}{why}"))
        threshold = options.fail_on or ("minor" if baseline is not None else None)
        if threshold is not None:
            pool = new_deductions(r, baseline.get(r.id)) if baseline is not None else \
                [f for f in r.findings if _counts(f)]
            for f in pool:
                if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[threshold]:
                    kind = "new-finding" if baseline is not None else "finding"
                    label = "new " if baseline is not None else ""
                    words = f' "{f["text"]}"' if f["text"] else ""
                    failures.append(_failure(r, kind, f"{label}{f['severity']} {f['category']} ({f['rule']}): "
                                                      f"{f['message']}{words}", f))
        if baseline is not None and options.max_drop is not None and r.id in baseline:
            before = baseline[r.id].score
            if before is not None and r.score is not None and before - r.score > options.max_drop:
                failures.append(_failure(r, "drop", f"score dropped {before - r.score:g} points "
                                                    f"({before:g} -> {r.score:g}), more than --max-drop {options.max_drop:g}"))
    if errors and not options.allow_unreadable:
        for e in errors:
            failures.append({"call": None, "source": e.path, "kind": "unreadable",
                             "message": f"unreadable: {e.reason}", "finding": None, "line": None})
    gate_failures = [f for f in failures if f["kind"] != "unreadable"]
    summary = (f"{len(gate_failures)} gate failure(s) in {len({f['call'] for f in gate_failures})} call(s)"
               if gate_failures else f"all {len(results)} call(s) pass")
    if errors:
        summary += f"; {len(errors)} unreadable file(s)" + (" (allowed)" if options.allow_unreadable else "")
    return {"passed": not failures, "summary": summary, "failures": failures,
            "thresholds": {"fail_under": options.fail_under, "fail_on": options.fail_on,
                           "baseline": str(options.baseline) if options.baseline else None,
                           "max_drop": options.max_drop}}


def _failure(result: CallResult, kind: str, message: str, finding: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"call": result.id, "source": result.source, "kind": kind, "message": message,
            "finding": dict(finding) if finding else None, "line": _line(result, finding)}
