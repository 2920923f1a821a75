"""JUnit XML for CI test reports (GitLab ``reports: junit``, Jenkins, Azure DevOps, GitHub
test-report actions).

One ``<testsuite name="poise">`` (inside ``<testsuites>``) with one ``<testcase>`` per call:
``name`` is the call id and ``classname`` its source file. A call's ``<failure>`` lists why it
failed and, as text, all its deductions; ``<system-out>`` holds its score and band. Each
unreadable file is a ``<testcase>`` with an ``<error>``.

When is a call a failure?

- ``poise check``: when the gate names it (below ``fail_under``, a deduction at ``fail_on`` or
  worse, a new deduction or a drop beyond ``max_drop`` against the baseline).
- ``poise score`` (no gate): when it has a deduction of severity ``major`` or ``critical``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Mapping, Sequence

from ..results import CallResult
from . import ReportContext
from .sarif import GateIndex, display_path, finding_line, quoted, unreadable_files

#: severities that fail a call in a ``score`` run (no gate)
SCORE_RUN_FAILING = ("major", "critical")

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: Any) -> str:
    """Text XML 1.0 can carry (control characters dropped)."""
    return _INVALID_XML.sub("", "" if text is None else str(text))


def _deduction_line(result: CallResult, finding: Mapping[str, Any]) -> str:
    line = finding_line(result, finding)
    where = f"{display_path(result.source)}:{line}" if line else display_path(result.source)
    return f"- [{finding.get('severity')}] {finding.get('rule')} ({where}): {quoted(finding)}"


def _failure_line(failure: Mapping[str, Any]) -> str:
    text = f"- [{failure.get('kind')}] {failure.get('message', '')}"
    finding = failure.get("finding")
    if finding and finding.get("rule") and finding["rule"] not in text:
        text += f" (rule {finding['rule']}: {quoted(finding)})"
    return text


def _call_failure(result: CallResult, gate: GateIndex) -> tuple[str, str, list[str]] | None:
    """(message, type, lines) when the call fails, else None."""
    if gate.active:
        failures = gate.for_call(result)
        if not failures:
            return None
        kinds = sorted({str(f.get("kind")) for f in failures})
        first = failures[0]
        detail = first.get("message") or ""
        finding = first.get("finding")
        if finding and finding.get("rule") and finding["rule"] not in detail:
            detail += f" ({finding['rule']})"
        message = f"{result.id}: {len(failures)} gate failure(s): {detail}"
        return message, ",".join(kinds), [_failure_line(f) for f in failures]
    worst = [f for f in result.deductions if f.get("severity") in SCORE_RUN_FAILING]
    if not worst:
        return None
    first = worst[0]
    message = (f"{result.id}: {len(worst)} major/critical deduction(s): "
               f"{first.get('rule')}: {quoted(first)}")
    return message, "deduction", [_deduction_line(result, f) for f in worst]


def _system_out(result: CallResult) -> str:
    score = "n/a" if result.score is None else f"{result.score:g}"
    lines = [f"call: {result.id}", f"source: {display_path(result.source)}",
             f"score: {score}", f"band: {result.band or 'n/a'}"]
    if result.auto_fail:
        lines.append(f"auto-fail: {result.auto_fail}")
    lines.append(f"deductions: {len(result.deductions)}, credits: {len(result.credits)}, "
                 f"suppressed: {len(result.suppressed)}")
    return "\n".join(lines)


def render(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> str:
    gate = GateIndex(ctx.gate)
    cases: list[ET.Element] = []
    failures = 0
    for result in results:
        case = ET.Element("testcase", {"name": _clean(result.id), "classname": _clean(display_path(result.source)),
                                       "time": "0"})
        failed = _call_failure(result, gate)
        if failed:
            failures += 1
            message, kind, lines = failed
            text = ["Gate failures:" if gate.active else "Failing deductions:", *lines]
            if result.deductions:
                text += ["", "Deductions:", *(_deduction_line(result, f) for f in result.deductions)]
            node = ET.SubElement(case, "failure", {"message": _clean(message), "type": _clean(kind)})
            node.text = _clean("\n".join(text))
        ET.SubElement(case, "system-out").text = _clean(_system_out(result))
        cases.append(case)
    for failure in gate.orphans(results):  # a gate failure that names no scored call
        failures += 1
        name = failure.get("call") or display_path(failure.get("source") or "") or "gate"
        case = ET.Element("testcase", {"name": _clean(name), "classname": _clean(display_path(failure.get("source") or "")),
                                       "time": "0"})
        node = ET.SubElement(case, "failure", {"message": _clean(f"{name}: {failure.get('message', '')}"),
                                               "type": _clean(failure.get("kind"))})
        node.text = _clean(_failure_line(failure))
        cases.append(case)
    unreadable = unreadable_files(errors, gate)
    for path, reason in unreadable:
        shown = display_path(path)
        case = ET.Element("testcase", {"name": _clean(shown), "classname": _clean(shown), "time": "0"})
        node = ET.SubElement(case, "error", {"message": _clean(f"{shown}: unreadable: {reason}"), "type": "unreadable"})
        node.text = _clean(reason)
        cases.append(case)

    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(len(unreadable)),
              "skipped": "0", "time": "0"}
    root = ET.Element("testsuites", {"name": "poise", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "poise", **counts})
    properties = ET.SubElement(suite, "properties")
    props = {"poise_version": ctx.poise_version, "rules_hash": ctx.rules_hash, "scorecard": ctx.scorecard_name}
    if gate.active:
        props["gate"] = "passed" if gate.passed else "failed"
        props["gate_summary"] = gate.gate.get("summary") or ""
    for key, value in props.items():
        ET.SubElement(properties, "property", {"name": key, "value": _clean(value)})
    suite.extend(cases)
    if gate.active and gate.gate.get("summary"):
        ET.SubElement(suite, "system-out").text = _clean(f"gate {props['gate']}: {gate.gate['summary']}")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
