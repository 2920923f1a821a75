"""CSV for spreadsheets: one row per call with its section scores, or (``--csv-findings``) one
row per finding. UTF-8 with a byte-order mark and CRLF line ends so Excel opens it cleanly;
cells that a spreadsheet would run as a formula are prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from typing import Any, Sequence

from ..results import CallResult
from . import ReportContext

CALL_COLUMNS = ["id", "source", "format", "agent", "team", "score", "band", "auto_fail", "credits",
                "deductions", "top_deduction", "turns", "words", "duration_s"]
FINDING_COLUMNS = ["call_id", "source", "agent", "rule", "category", "polarity", "severity", "kind",
                   "turn", "speaker", "start", "end", "text", "message"]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def header(ctx: ReportContext, sections: Sequence[str] = ()) -> list[str]:
    if ctx.csv_findings:
        return FINDING_COLUMNS
    return CALL_COLUMNS + [f"section: {name}" for name in (sections or ctx.section_names)]


def rows(r: CallResult, ctx: ReportContext, sections: Sequence[str] = ()) -> list[list[Any]]:
    """The CSV rows of one call: one (per call) or one per finding (--csv-findings)."""
    if ctx.csv_findings:
        return [[_safe(v) for v in (
            r.id, r.source, r.agent, f["rule"], f["category"], f["polarity"], f["severity"],
            f["kind"], f["turn"], f["speaker"], f["start"], f["end"], f["text"], f["message"])]
            for f in r.findings]
    top = r.top_deduction()
    by_name = {s["name"]: s["score"] for s in r.sections}
    row = [r.id, r.source, r.format, r.agent, r.metadata.get("team"), r.score, r.band, r.auto_fail,
           len(r.credits), len(r.deductions), f"{top['category']}: {top['text']}" if top else None,
           len(r.turns), r.words, round(r.duration, 1) if r.duration is not None else None]
    row += [by_name.get(name) for name in (sections or ctx.section_names)]
    return [[_safe(v) for v in row]]


def render(results: Sequence[CallResult], errors: Sequence, ctx: ReportContext) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    sections = ctx.section_names or tuple(dict.fromkeys(s["name"] for r in results for s in r.sections))
    writer.writerow(header(ctx, sections))
    for r in results:
        writer.writerows(rows(r, ctx, sections))
    return buffer.getvalue()
