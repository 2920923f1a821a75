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

import io
import re
import shutil
import tempfile
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Iterator, Mapping, Sequence, TextIO

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
    out = io.StringIO()
    write(out, results, errors, ctx)
    return out.getvalue()


def _cases(results: Sequence[CallResult], errors: Sequence[Any], gate: GateIndex) -> Iterator[tuple[ET.Element, str]]:
    """One ``<testcase>`` per call, gate failure naming no call and unreadable file, each with
    what it counts as: "pass", "failure" or "error"."""
    for result in results:
        case = ET.Element("testcase", {"name": _clean(result.id), "classname": _clean(display_path(result.source)),
                                       "time": "0"})
        failed = _call_failure(result, gate)
        if failed:
            message, kind, lines = failed
            text = ["Gate failures:" if gate.active else "Failing deductions:", *lines]
            if result.deductions:
                text += ["", "Deductions:", *(_deduction_line(result, f) for f in result.deductions)]
            node = ET.SubElement(case, "failure", {"message": _clean(message), "type": _clean(kind)})
            node.text = _clean("\n".join(text))
        ET.SubElement(case, "system-out").text = _clean(_system_out(result))
        yield case, "failure" if failed else "pass"
    for failure in gate.orphans(results):  # a gate failure that names no scored call
        name = failure.get("call") or display_path(failure.get("source") or "") or "gate"
        case = ET.Element("testcase", {"name": _clean(name), "classname": _clean(display_path(failure.get("source") or "")),
                                       "time": "0"})
        node = ET.SubElement(case, "failure", {"message": _clean(f"{name}: {failure.get('message', '')}"),
                                               "type": _clean(failure.get("kind"))})
        node.text = _clean(_failure_line(failure))
        yield case, "failure"
    for path, reason in unreadable_files(errors, gate):
        shown = display_path(path)
        case = ET.Element("testcase", {"name": _clean(shown), "classname": _clean(shown), "time": "0"})
        node = ET.SubElement(case, "error", {"message": _clean(f"{shown}: unreadable: {reason}"), "type": "unreadable"})
        node.text = _clean(reason)
        yield case, "error"


#: Where the test cases go in the indented document: inside <testsuites><testsuite>.
_CASE_LEVEL = 2
_CASE_INDENT = "  " * _CASE_LEVEL


def write(fh: TextIO, results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> None:
    """The JUnit XML, indented, written without holding every test case: the cases go to a
    temporary file as the calls are read, and are copied in once the suite's counts are known."""
    gate = GateIndex(ctx.gate)
    counted = {"pass": 0, "failure": 0, "error": 0}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        for case, outcome in _cases(results, errors, gate):
            ET.indent(case, space="  ", level=_CASE_LEVEL)
            body.write(("\n" + _CASE_INDENT if sum(counted.values()) else "") + ET.tostring(case, encoding="unicode"))
            counted[outcome] += 1
        counts = {"tests": str(sum(counted.values())), "failures": str(counted["failure"]),
                  "errors": str(counted["error"]), "skipped": "0", "time": "0"}
        root = ET.Element("testsuites", {"name": "poise", **counts})
        suite = ET.SubElement(root, "testsuite", {"name": "poise", **counts})
        properties = ET.SubElement(suite, "properties")
        props = {"poise_version": ctx.poise_version, "rules_hash": ctx.rules_hash, "scorecard": ctx.scorecard_name}
        if gate.active:
            props["gate"] = "passed" if gate.passed else "failed"
            props["gate_summary"] = gate.gate.get("summary") or ""
        for key, value in props.items():
            ET.SubElement(properties, "property", {"name": key, "value": _clean(value)})
        mark = f"poise-cases-{uuid.uuid4().hex}"
        ET.SubElement(suite, mark)
        if gate.active and gate.gate.get("summary"):
            ET.SubElement(suite, "system-out").text = _clean(f"gate {props['gate']}: {gate.gate['summary']}")
        ET.indent(root, space="  ")
        head, tail = ET.tostring(root, encoding="unicode").split(f"<{mark} />", 1)
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not any(counted.values()):
            fh.write(head.removesuffix("\n" + _CASE_INDENT) + tail + "\n")
            return
        fh.write(head)
        body.seek(0)
        shutil.copyfileobj(body, fh)
        fh.write(tail + "\n")
