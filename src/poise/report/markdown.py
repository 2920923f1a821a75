"""A Markdown summary fit for a pull-request comment: headline figures, the calls worst first,
and the most frequent deductions."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from ..results import CallResult, summary
from . import ReportContext
from .spool import order


def _cell(text: object) -> str:
    return str(text if text is not None else "—").replace("|", "\\|").replace("\n", " ")


def render(results: Sequence[CallResult], errors: Sequence, ctx: ReportContext, limit: int = 50) -> str:
    s = summary(results, len(errors))
    lines = ["## poise professionalism report", ""]
    mean = "—" if s["mean_score"] is None else s["mean_score"]
    median = "—" if s["median_score"] is None else s["median_score"]
    lines.append(f"**{s['calls']} call(s)** scored · mean **{mean}** · median **{median}**"
                 + (f" · **{s['unreadable']} unreadable**" if s["unreadable"] else "")
                 + (f" · {s['auto_failed']} auto-failed" if s["auto_failed"] else ""))
    if s["bands"]:
        lines.append("")
        lines.append(" · ".join(f"{band}: {count}" for band, count in s["bands"].items()))
    if ctx.gate:
        verdict = "passed" if ctx.gate.get("passed") else "**failed**"
        lines += ["", f"Gate {verdict}: {_cell(ctx.gate.get('summary'))}"]
    ordered = order(results, lambda r: (r.score is None, r.score if r.score is not None else 0))
    lines += ["", "| call | score | band | top deduction | agent |", "|---|---:|---|---|---|"]
    for i in ordered[:limit]:
        r = results[i]
        top = r.top_deduction()
        worst = f"{top['category']}: {top['text']}" if top else None
        lines.append(f"| {_cell(r.id)} | {_cell(r.score)} | {_cell(r.band)} | {_cell(worst)} | {_cell(r.agent)} |")
    if len(ordered) > limit:
        lines.append(f"| … {len(ordered) - limit} more | | | | |")
    counts = Counter((f["rule"], f["message"]) for r in results for f in r.deductions)
    if counts:
        lines += ["", "### Most frequent deductions", "", "| rule | count | message |", "|---|---:|---|"]
        for (rule, message), n in counts.most_common(10):
            lines.append(f"| `{rule}` | {n} | {_cell(message)} |")
    if errors:
        lines += ["", "### Unreadable files", ""]
        lines += [f"- `{e.path}`: {_cell(e.reason)}" for e in errors]
    lines += ["", f"<sub>poise {ctx.poise_version} · rules {ctx.rules_hash} · scorecard {_cell(ctx.scorecard_name)}</sub>", ""]
    return "\n".join(lines)
