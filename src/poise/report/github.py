"""GitHub Actions workflow commands: annotations on the pull request's changed files.

- ``::error file=PATH,line=N,title=poise RULE::message "words"`` for each gate failure;
- ``::warning ...`` for every other deduction of severity minor or worse (info deductions,
  credits, the customer's frustration and issue (context) and suppressed findings are left out);
- ``::error file=PATH,title=poise unreadable::reason`` for each unreadable file;
- a last ``::error::`` (gate failed) or ``::notice::`` (gate passed, or a ``score`` run) line
  with the summary.

Paths are relative to the current directory (run poise from the repository root); lines are
known for text calls and call scripts. When one file holds several calls the message names the
call. Values are escaped as GitHub's runner expects: ``%`` ``\\r`` ``\\n`` in messages, and also
``:`` ``,`` in properties.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from ..results import CallResult, summary
from . import ReportContext
from .sarif import GATE_RULES, GateIndex, display_path, finding_line, quoted, unreadable_files

#: severities annotated as warnings when they did not fail the gate
WARN_SEVERITIES = ("minor", "major", "critical")


def escape_data(text: Any) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: Any) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, *, file: str | None = None, line: int | None = None,
            title: str | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if file and line:
        props.append(f"line={int(line)}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def render(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> str:
    gate = GateIndex(ctx.gate)
    per_source = Counter(display_path(r.source) for r in results)
    failed_lines: list[str] = []
    warning_lines: list[str] = []

    def named(result: CallResult, message: str) -> str:
        if per_source.get(display_path(result.source), 0) > 1:
            return f"{message} (call {result.id})"
        return message

    for result in results:
        path = display_path(result.source)
        for failure in gate.for_call(result):
            finding = failure.get("finding")
            if finding:
                line = failure.get("line") or finding_line(result, finding)
                title = f"poise {finding.get('rule')}"
                message = quoted(finding)
                if failure.get("kind") == "new-finding":
                    message += " (new since the baseline)"
            else:
                line = failure.get("line")
                rule = GATE_RULES.get(str(failure.get("kind")), {}).get("id", f"poise.gate.{failure.get('kind')}")
                title = f"poise {rule.removeprefix('poise.')}"
                message = str(failure.get("message") or "")
            failed_lines.append(command("error", named(result, message),
                                        file=path, line=line, title=title))
        for finding in result.deductions:
            if finding.get("severity") not in WARN_SEVERITIES or gate.failed_finding(result, finding):
                continue
            warning_lines.append(command("warning", named(result, quoted(finding)),
                                         file=path, line=finding_line(result, finding),
                                         title=f"poise {finding.get('rule')}"))
    for failure in gate.orphans(results):
        finding = failure.get("finding")
        title = f"poise {finding.get('rule')}" if finding else f"poise {failure.get('kind')}"
        message = str(failure.get("message") or (quoted(finding) if finding else ""))
        failed_lines.append(command("error", message, file=display_path(failure.get("source") or ""),
                                    line=failure.get("line"), title=title))
    for path, reason in unreadable_files(errors, gate):
        failed_lines.append(command("error", f"unreadable: {reason}", file=display_path(path),
                                    title="poise unreadable"))

    lines = failed_lines + warning_lines
    if gate.active:
        text = gate.gate.get("summary") or ("gate passed" if gate.passed else "gate failed")
        lines.append(command("notice" if gate.passed else "error", f"poise: {text}"))
    else:
        s = summary(results, len(errors))
        mean = "n/a" if s["mean_score"] is None else s["mean_score"]
        text = f"poise: {s['calls']} call(s) scored, mean {mean}"
        if s["unreadable"]:
            text += f", {s['unreadable']} unreadable"
        lines.append(command("notice", text))
    return "\n".join(lines) + "\n"
