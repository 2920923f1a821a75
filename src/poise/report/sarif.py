"""SARIF 2.1.0 for code scanning (GitHub ``upload-sarif``, Azure DevOps, IDE viewers).

One run whose ``tool.driver.rules`` are the rules that produced a reported finding, and whose
``results`` are:

- every deduction (credits are not problems; ``customer-frustration`` and ``customer-issue`` findings describe the
  customer, not the agent, and are left out), at ``error`` for critical/major, ``warning`` for
  minor, ``note`` for info, and always ``error`` when the finding failed the gate;
- every suppressed deduction, with ``suppressions`` (``inSource`` for an inline
  ``poise: ignore`` marker, ``external`` for an ``ignore:`` in the configuration), so code
  scanning shows it as dismissed instead of losing it;
- gate failures that are not findings (a call below ``fail_under``, a score drop beyond
  ``max_drop``) under the rules ``poise.fail-under`` / ``poise.max-drop``, at ``error``.

Locations are the source file relative to the current directory (POSIX separators) and, when
known, the line of the turn (text calls and call scripts); call-level findings of a text source
point at line 1; sources without line numbers (JSON, vendor formats) get no region.
``partialFingerprints`` hash the call id, rule, matched words and occurrence, never the line,
so moving a line does not make a finding new. Unreadable files are ``toolExecutionNotifications``.

The helpers at the top (paths, lines, gate matching) are shared with the JUnit and GitHub writers.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from pathlib import Path, PurePath
from typing import Any, Callable, Mapping, Sequence, TextIO
from urllib.parse import quote

from ..results import CallResult, is_agent_deduction
from . import ReportContext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "poiseFinding/v1"

LEVELS = {"critical": "error", "major": "error", "minor": "warning", "info": "note"}

#: pseudo-rules for gate failures that are about a call's score rather than one finding
GATE_RULES: dict[str, dict[str, str]] = {
    "score": {"id": "poise.fail-under", "name": "FailUnder",
              "text": "The call scored below the fail_under threshold",
              "help": "Raise the call's score: fix its deductions (see the other results for this file)."},
    "drop": {"id": "poise.max-drop", "name": "MaxDrop",
             "text": "The call's score dropped more than max_drop below the baseline",
             "help": "Compare with the baseline report: the new deductions on this call explain the drop."},
}


# -- helpers shared by the CI writers ---------------------------------------------------------

def display_path(source: str, cwd: str | os.PathLike[str] | None = None) -> str:
    """``source`` relative to the current directory with POSIX separators; absolute (POSIX) when
    it lies outside it."""
    if not source:
        return source
    base = os.path.abspath(cwd or os.getcwd())
    path = os.path.abspath(os.path.join(base, source))
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive (Windows)
        return PurePath(path).as_posix()
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return PurePath(path).as_posix()
    return PurePath(rel).as_posix()


def artifact_uri(source: str) -> str:
    """A URI reference for ``source``: relative to the current directory, else a file:// URI."""
    shown = display_path(source)
    if Path(shown).is_absolute() or shown.startswith("/"):
        return Path(os.path.abspath(source)).as_uri()
    return quote(shown, safe="/")


def has_lines(result: CallResult) -> bool:
    """Whether the call came from a text source or script whose turns carry line numbers."""
    return any(t.get("line") for t in result.turns)


def finding_line(result: CallResult | None, finding: Mapping[str, Any]) -> int | None:
    """The 1-based line of the finding's turn; 1 for a call-level finding in a text source or
    script; None when the source has no line numbers."""
    if result is None:
        return None
    turn = finding.get("turn")
    if turn is None:
        return 1 if has_lines(result) else None
    if 0 <= turn < len(result.turns):
        return result.turns[turn].get("line") or None
    return None


def is_reported_deduction(finding: Mapping[str, Any]) -> bool:
    """A deduction about the agent (the customer's frustration and issue are context, not problems)."""
    return is_agent_deduction(finding)


def finding_key(source: str | None, call: str | None, finding: Mapping[str, Any]) -> tuple:
    return (display_path(source or ""), call, finding.get("rule"), finding.get("turn"),
            finding.get("start"), finding.get("end"), finding.get("text"))


def quoted(finding: Mapping[str, Any]) -> str:
    """``message: "words"`` (or just the message when a call-level finding has no words)."""
    text = (finding.get("text") or "").strip()
    return f'{finding.get("message", "")}: "{text}"' if text else str(finding.get("message", ""))


class GateIndex:
    """The gate failures of a ``check`` run, findable per call and per finding."""

    def __init__(self, gate: Mapping[str, Any] | None) -> None:
        self.gate = dict(gate or {})
        self.failures: list[Mapping[str, Any]] = list(self.gate.get("failures") or ())
        self._by_finding = {finding_key(f.get("source"), f.get("call"), f["finding"])
                            for f in self.failures if f.get("finding")}
        self._by_call: dict[Any, list[Mapping[str, Any]]] = {}
        for f in self.failures:
            if f.get("kind") != "unreadable":
                self._by_call.setdefault(f.get("call"), []).append(f)

    @property
    def active(self) -> bool:
        return bool(self.gate)

    @property
    def passed(self) -> bool:
        return bool(self.gate.get("passed", True))

    def failed_finding(self, result: CallResult, finding: Mapping[str, Any]) -> bool:
        return finding_key(result.source, result.id, finding) in self._by_finding

    def for_call(self, result: CallResult) -> list[Mapping[str, Any]]:
        """This call's failures (unreadable-file failures belong to no call)."""
        mine = self._by_call.get(result.id)
        if not mine:
            return []
        source = display_path(result.source)
        return [f for f in mine if not f.get("source") or display_path(f["source"]) == source]

    def orphans(self, results: Sequence[CallResult]) -> list[Mapping[str, Any]]:
        """Failures that match no call and are not about an unreadable file."""
        claimed = {id(f) for r in results for f in self.for_call(r)}
        return [f for f in self.failures if f.get("kind") != "unreadable" and id(f) not in claimed]

    def unreadable(self) -> list[Mapping[str, Any]]:
        return [f for f in self.failures if f.get("kind") == "unreadable"]


def unreadable_files(errors: Sequence[Any], gate: GateIndex) -> list[tuple[str, str]]:
    """(path, reason) for each unreadable input: the run's errors, plus any the gate names alone."""
    out = [(e.path, e.reason) for e in errors]
    seen = {display_path(p) for p, _ in out}
    for f in gate.unreadable():
        path = f.get("source") or ""
        if display_path(path) not in seen:
            seen.add(display_path(path))
            out.append((path, f.get("message") or "unreadable"))
    return out


# -- SARIF ------------------------------------------------------------------------------------

def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()


def _rule_name(rule_id: str) -> str:
    """``blame.customer-should-have`` -> ``BlameCustomerShouldHave`` (SARIF's friendly name)."""
    words = [w for part in rule_id.replace("_", "-").split(".") for w in part.split("-") if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or rule_id


def _rule_descriptor(finding: Mapping[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding["rule"],
        "name": _rule_name(finding["rule"]),
        "shortDescription": {"text": finding.get("message") or finding["rule"]},
        "help": {"text": finding.get("tip") or finding.get("message") or finding["rule"]},
        "defaultConfiguration": {"level": LEVELS.get(finding.get("severity", ""), "warning")},
        "properties": {"category": finding.get("category"), "polarity": finding.get("polarity"),
                       "severity": finding.get("severity"),
                       "tags": ["professionalism", str(finding.get("category"))]},
    }
    if finding.get("link"):
        rule["helpUri"] = finding["link"]
    return rule


def _location(uri: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line:
        physical["region"] = {"startLine": int(line)}
    return {"physicalLocation": physical}


def _information_uri() -> str | None:
    """The project's home page from the installed package metadata, if it declares one."""
    from importlib import metadata
    try:
        meta = metadata.metadata("poise")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or ():
        _, _, url = entry.partition(",")
        if url.strip().startswith(("http://", "https://")):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith(("http://", "https://")) else None


def _suppression(reason: str) -> dict[str, str]:
    kind = "inSource" if reason.startswith("inline") else "external"
    return {"kind": kind, "justification": reason}


def document(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as a dict."""
    found: list[dict[str, Any]] = []
    doc = _log(results, errors, ctx, found.append)
    doc["runs"][0]["results"] = found
    return doc


def _log(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext,
         emit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The SARIF log without its results, which go to ``emit`` one by one as the calls are read
    (its ``runs[0].results`` is left empty)."""
    gate = GateIndex(ctx.gate)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule_index(descriptor: dict[str, Any]) -> int:
        if descriptor["id"] not in index:
            index[descriptor["id"]] = len(rules)
            rules.append(descriptor)
        return index[descriptor["id"]]

    for result in results:
        uri = artifact_uri(result.source)
        seen: Counter[tuple] = Counter()

        def add(finding: Mapping[str, Any], suppressed_by: str | None = None) -> None:
            occurrence = (finding["rule"], finding.get("text") or "", finding.get("kind"))
            seen[occurrence] += 1
            failed = suppressed_by is None and gate.failed_finding(result, finding)
            entry: dict[str, Any] = {
                "ruleId": finding["rule"],
                "ruleIndex": rule_index(_rule_descriptor(finding)),
                "level": "error" if failed else LEVELS.get(finding.get("severity", ""), "warning"),
                "message": {"text": quoted(finding)},
                "locations": [_location(uri, finding_line(result, finding))],
                "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(
                    result.id, *occurrence, seen[occurrence])},
                "properties": {"call": result.id, "category": finding.get("category"),
                               "severity": finding.get("severity"), "gateFailure": failed},
            }
            if suppressed_by is not None:
                entry["suppressions"] = [_suppression(suppressed_by)]
            emit(entry)

        for finding in result.findings:
            if is_reported_deduction(finding):
                add(finding)
        for finding in result.suppressed:
            if is_reported_deduction(finding):
                add(finding, str(finding.get("suppressed_by") or "suppressed"))
        for failure in gate.for_call(result):
            if not failure.get("finding"):
                emit(_gate_result(failure, result.id, uri, rule_index, has_lines(result)))
    for failure in gate.orphans(results):
        if failure.get("finding"):
            finding = failure["finding"]
            line = failure.get("line")
            emit({
                "ruleId": finding["rule"], "ruleIndex": rule_index(_rule_descriptor(finding)), "level": "error",
                "message": {"text": failure.get("message") or quoted(finding)},
                "locations": [_location(artifact_uri(failure.get("source") or ""), line)],
                "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(failure.get("call"), finding["rule"],
                                                                      finding.get("text") or "", failure.get("kind"))},
                "properties": {"call": failure.get("call"), "gateFailure": True}})
        else:
            emit(_gate_result(failure, failure.get("call"), artifact_uri(failure.get("source") or ""),
                                              rule_index, bool(failure.get("line"))))

    unreadable = unreadable_files(errors, gate)
    notifications = [{"level": "error", "message": {"text": f"unreadable input: {reason}"},
                      "locations": [_location(artifact_uri(path), None)]} for path, reason in unreadable]
    invocation: dict[str, Any] = {"executionSuccessful": not unreadable}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    driver: dict[str, Any] = {"name": "poise", "version": ctx.poise_version, "rules": rules}
    info = _information_uri()
    if info:
        driver["informationUri"] = info
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": [],
        "columnKind": "unicodeCodePoints",
        "properties": {"rulesHash": ctx.rules_hash, "scorecard": ctx.scorecard_name,
                       "redacted": ctx.redacted,
                       "scores": {r.id: r.score for r in results}},
    }
    if gate.active:
        run["properties"]["gate"] = {"passed": gate.passed, "summary": gate.gate.get("summary"),
                                     "thresholds": gate.gate.get("thresholds", {})}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _gate_result(failure: Mapping[str, Any], call: str | None, uri: str, rule_index,
                 line_known: bool) -> dict[str, Any]:
    meta = GATE_RULES.get(str(failure.get("kind")), {
        "id": f"poise.gate.{failure.get('kind')}", "name": _rule_name(f"gate.{failure.get('kind')}"),
        "text": "The call failed the gate", "help": "See the gate summary."})
    descriptor = {"id": meta["id"], "name": meta["name"], "shortDescription": {"text": meta["text"]},
                  "help": {"text": meta["help"]}, "defaultConfiguration": {"level": "error"},
                  "properties": {"category": "gate", "polarity": "deduction", "severity": "critical",
                                 "tags": ["professionalism", "gate"]}}
    line = failure.get("line") or (1 if line_known else None)
    return {"ruleId": meta["id"], "ruleIndex": rule_index(descriptor), "level": "error",
            "message": {"text": failure.get("message") or meta["text"]},
            "locations": [_location(uri, line)],
            "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(call, meta["id"])},
            "properties": {"call": call, "gateFailure": True}}


def render(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> str:
    out = io.StringIO()
    write(out, results, errors, ctx)
    return out.getvalue()


#: Indentation of one entry of ``runs[0].results`` in the indented document.
_RESULT_INDENT = " " * 8


def write(fh: TextIO, results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> None:
    """The SARIF log as indented JSON (exactly ``json.dumps(document(...), indent=2)``), written
    without holding its results: they go to a temporary file as the calls are read, and are
    copied in once the rules and the run's figures before them are known."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        count = 0

        def emit(entry: dict[str, Any]) -> None:
            nonlocal count
            text = json.dumps(entry, ensure_ascii=False, indent=2, default=str)
            body.write(("" if not count else ",\n") + _RESULT_INDENT + text.replace("\n", "\n" + _RESULT_INDENT))
            count += 1

        doc = _log(results, errors, ctx, emit)
        mark = f"poise-results-{uuid.uuid4().hex}"
        doc["runs"][0]["results"] = mark
        head, tail = json.dumps(doc, ensure_ascii=False, indent=2, default=str).split(f'"{mark}"', 1)
        if not count:
            fh.write(head + "[]" + tail + "\n")
            return
        fh.write(head + "[\n")
        body.seek(0)
        shutil.copyfileobj(body, fh)
        fh.write("\n" + _RESULT_INDENT[:-2] + "]" + tail + "\n")

