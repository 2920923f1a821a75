"""The terminal reports: the batch overview for ``poise score`` and the one-call trainer view
for ``poise show``. Everything is printed through ``report.console()``.

Both views are meant to be read at 80 columns and without colour: colour only repeats what the
text already says (credits are marked ``+``, deductions ``-``, customer signals ``!``; statuses
and bands are spelled out; highlighted evidence is wrapped in ``«»`` when colour is off).
Turns are numbered from 1 for people (``turn 11`` is the eleventh turn, index 10 in JSON).
"""

from __future__ import annotations

import operator
import re
import statistics
from array import array
from collections import Counter, defaultdict
from pathlib import PurePath
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..results import CallResult, Tally
from ..rules.model import CUSTOMER_CONTEXT
from ..scoring import SEVERITY_RANK
from . import ReportContext, console, line_points

#: The default scorecard's bands, best first; a custom scorecard's other names come after.
BAND_ORDER = ("Excellent", "Good", "Needs coaching", "Unacceptable")
BAND_STYLE = {"Excellent": "bold green", "Good": "green", "Needs coaching": "yellow",
              "Unacceptable": "bold red"}

#: One colour per category: credits in greens and blues, deductions in reds and yellows.
CATEGORY_STYLE = {
    "apology": "green", "empathy": "spring_green2", "active-listening": "cyan",
    "de-escalation": "turquoise2", "ownership": "dodger_blue1", "courtesy": "medium_purple1",
    "next-steps": "chartreuse3", "greeting": "sky_blue1", "closing": "steel_blue1",
    "hold-etiquette": "aquamarine3", "verification": "light_slate_blue",
    "non-apology": "orange1", "escalation-trigger": "dark_orange3", "blame": "red",
    "rudeness": "bright_red", "negative-language": "yellow", "customer-frustration": "magenta",
    "customer-issue": "orchid",
}
_SPARE_STYLES = ("plum2", "khaki1", "light_coral", "pale_turquoise1", "orchid", "gold1", "salmon1")

STATUS_STYLE = {"PRESENT": "green", "NOT_PRESENT": "yellow", "N/A": "dim", "DEDUCTION": "red",
                "CAPPED": "cyan", "BASE": "dim"}
BAR = "█"
DASH = "—"


# -- small helpers -------------------------------------------------------------------------------
def category_style(category: str) -> str:
    if category in CATEGORY_STYLE:
        return CATEGORY_STYLE[category]
    return _SPARE_STYLES[sum(map(ord, category)) % len(_SPARE_STYLES)]


def band_style(band: str | None) -> str:
    return BAND_STYLE.get(band or "", "")


def sign(finding: Mapping[str, Any]) -> str:
    """``+`` credit, ``-`` deduction, ``!`` a customer signal (frustration, the issue raised:
    context, not a fault)."""
    if finding["category"] in CUSTOMER_CONTEXT:
        return "!"
    return "+" if finding["polarity"] == "credit" else "-"


def fmt_score(score: float | None) -> str:
    return DASH if score is None else f"{score:.1f}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def shorten(text: str, width: int) -> str:
    """Cut the middle out of a long id: both ends tell calls apart (``airline_…calls:12``)."""
    if len(text) <= width or width < 5:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def _turn_name(index: int | None) -> str:
    return "whole call" if index is None else f"turn {index + 1}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _plain(out: Console) -> bool:
    """True when colour will not show, so highlights need a mark that survives."""
    return out.no_color or out.color_system is None


def _band_names(bands: Mapping[str, int]) -> list[str]:
    found = {b for b, n in bands.items() if n}
    return [b for b in BAND_ORDER if b in found] + sorted(found - set(BAND_ORDER))


def _band_counts(counts: Mapping[str, int], names: Sequence[str]) -> Text:
    parts: list[Text] = []
    for name in names:
        parts.append(Text(f"{name} {counts.get(name, 0)}", style=band_style(name) if counts.get(name) else "dim"))
    return Text("  ").join(parts)


def _words(finding: Mapping[str, Any], width: int = 40) -> str:
    text = (finding.get("text") or "").strip()
    if not text:
        return finding.get("message") or ""
    return f'"{text}"' if len(text) <= width else f'"{text[:width - 1]}…"'


# -- the batch view ------------------------------------------------------------------------------
class Warned(NamedTuple):
    """What the problems list needs of a call that had transcript warnings."""

    source: str
    id: str
    warnings: tuple[str, ...]


class _Row(NamedTuple):
    """One line of the calls table."""

    key: tuple  # worst first: (unscored, score, id)
    id: str
    name: str
    score: float | None
    band: str | None
    agent: str | None
    auto_fail: str | None
    top: Mapping[str, Any] | None  # the top deduction: category, text, turn, message


class BatchView:
    """Everything the batch overview shows, gathered call by call, so that a batch of any size
    is summarised without keeping its results: the summary's figures, the ``limit`` worst calls,
    the score histogram, per-rule counts, per-group figures, the conversation metrics' values
    (one float per call and metric) and the calls that had warnings. Only while the batch has
    one call is its full result kept (one call gets the trainer view)."""

    def __init__(self, limit: int = 50, group_by: str | None = None) -> None:
        self.limit, self.group_by = limit, group_by
        self.tally = Tally()
        self.unscored = self.timed = 0
        self.first: CallResult | None = None
        self.warned: list[Warned] = []
        self._rows: list[_Row] = []
        self.histogram = [0] * 10  # calls per 10-point bucket: 0-9, ..., 90-100
        self.histogram_bands: dict[int, Counter] = defaultdict(Counter)
        self._rule_calls = {"credit": Counter(), "deduction": Counter()}
        self._rule_hits = {"credit": Counter(), "deduction": Counter()}
        self._rule_info: dict[str, tuple[str, str]] = {}  # rule -> (category, message)
        self._groups: dict[str, dict[str, Any]] = {}
        self._metrics: dict[str, array] = {metric: array("d") for metric, _ in DISTRIBUTION_METRICS}

    @classmethod
    def of(cls, results: Iterable[CallResult], group_by: str | None = None, limit: int = 50) -> "BatchView":
        view = cls(limit, group_by)
        for r in results:
            view.add(r)
        return view

    @property
    def calls(self) -> int:
        return self.tally.calls

    def add(self, r: CallResult) -> None:
        self.tally.add(r)
        self.first = r if self.tally.calls == 1 else None
        if r.warnings:
            self.warned.append(Warned(r.source, r.id, tuple(r.warnings)))
        if r.score is None:
            self.unscored += 1
        else:
            bucket = min(9, max(0, int(r.score // 10)))
            self.histogram[bucket] += 1
            self.histogram_bands[bucket][r.band] += 1
        top = r.top_deduction()
        self._rows.append(_Row((r.score is None, r.score if r.score is not None else 0.0, r.id), r.id,
                               PurePath(r.source).name, r.score, r.band, r.agent, r.auto_fail,
                               None if top is None else {k: top.get(k) for k in ("category", "text", "turn", "message")}))
        if self.limit and len(self._rows) > 2 * self.limit:  # keep only the worst (amortised sort)
            self._rows.sort(key=lambda row: row.key)
            del self._rows[self.limit:]
        deductions = r.deductions
        for polarity, found in (("deduction", deductions), ("credit", r.credits)):
            hits = self._rule_hits[polarity]
            for f in found:
                hits[f["rule"]] += 1
                if f["rule"] not in self._rule_info:
                    self._rule_info[f["rule"]] = (f["category"], f["message"])
            self._rule_calls[polarity].update({f["rule"] for f in found})
        if self.group_by is not None:
            g = self._groups.setdefault(r.group(self.group_by), {"calls": 0, "scores": array("d"),
                                                                  "bands": Counter(), "categories": Counter()})
            g["calls"] += 1
            if r.score is not None:
                g["scores"].append(r.score)
            if r.band:
                g["bands"][r.band] += 1
            g["categories"].update(f["category"] for f in deductions)
        metrics = r.metrics or {}
        self.timed += metrics.get("duration") is not None
        for metric, values in self._metrics.items():
            v = metrics.get(metric)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values.append(float(v))

    # -- what the tables show -------------------------------------------------------------------
    def worst(self) -> list[_Row]:
        rows = sorted(self._rows, key=lambda row: row.key)
        return rows[:self.limit] if self.limit else rows

    def frequent(self, polarity: str) -> list[dict[str, Any]]:
        """Per rule: calls it appeared in and findings, most widespread first."""
        calls, hits = self._rule_calls[polarity], self._rule_hits[polarity]
        ranked = sorted(hits, key=lambda rule: (-calls[rule], -hits[rule], rule))
        return [{"rule": rule, "category": self._rule_info[rule][0], "calls": calls[rule], "findings": hits[rule],
                 "message": self._rule_info[rule][1]} for rule in ranked]

    def groups(self) -> list[dict[str, Any]]:
        """Per metadata value of ``group_by``: calls, mean score, band counts, most frequent
        deduction category; worst mean first."""
        rows = []
        for name, g in self._groups.items():
            rows.append({"group": name, "calls": g["calls"],
                         "mean": round(statistics.fmean(g["scores"]), 1) if g["scores"] else None,
                         "bands": g["bands"],
                         "top_category": g["categories"].most_common(1)[0][0] if g["categories"] else None})
        rows.sort(key=lambda g: (g["mean"] is None, g["mean"] if g["mean"] is not None else 0.0, g["group"]))
        return rows

    def distributions(self) -> list[dict[str, Any]]:
        """Per metric of ``DISTRIBUTION_METRICS``: calls with the figure, min, median, p90, max and
        calls past the shipped rule threshold (None when no rule watches the metric)."""
        rows = []
        for metric, fmt in DISTRIBUTION_METRICS:
            values = self._metrics[metric]
            row: dict[str, Any] = {"metric": metric, "format": fmt, "calls": len(values),
                                   "min": None, "median": None, "p90": None, "max": None,
                                   "crossed": sum(1 for v in values if crosses(metric, v))
                                   if metric in RULE_THRESHOLDS else None}
            if values:
                row.update(min=min(values), median=statistics.median(values), p90=percentile(values, 90),
                           max=max(values))
            rows.append(row)
        return rows


def render(results: "Sequence[CallResult] | BatchView", errors: Sequence[Any], ctx: ReportContext, *,
           limit: int = 50) -> None:
    """``poise score`` in the terminal: one call gets the trainer view, a batch the overview.
    ``results``: the results, or a ``BatchView`` fed while they streamed in."""
    view = results if isinstance(results, BatchView) else BatchView.of(results, ctx.group_by, limit)
    if view.calls == 1 and view.first is not None:
        render_call(view.first, ctx)
        render_problems(view.warned, errors)
        return
    out = console()
    out.print(_summary_panel(view, errors, ctx))
    if view.calls:
        out.print(_calls_table(view, out.width))
        histogram = _histogram(view, out.width)
        if histogram is not None:
            out.print(histogram)
        for table in (_frequency_table(view, "deduction"), _frequency_table(view, "credit")):
            if table is not None:
                out.print(table)
        distributions = _distribution_table(view)
        if distributions is not None:
            out.print(distributions)
        if ctx.group_by:
            out.print(_group_table(view, ctx.group_by, out.width))
    render_problems(view.warned, errors)


def _summary_panel(view: BatchView, errors: Sequence[Any], ctx: ReportContext) -> Panel:
    s = view.tally.summary(len(errors))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Calls scored", str(s["calls"]))
    grid.add_row("Unreadable files", Text(str(s["unreadable"]), style="bold red" if s["unreadable"] else ""))
    grid.add_row("Mean score", fmt_score(s["mean_score"]))
    grid.add_row("Median score", fmt_score(s["median_score"]))
    if view.unscored:
        grid.add_row("Not scorable", Text(f"{view.unscored} (no scorecard section applied)", style="yellow"))
    names = _band_names(s["bands"])
    names = list(BAND_ORDER) + [n for n in names if n not in BAND_ORDER]
    grid.add_row("Bands", _band_counts(s["bands"], names))
    grid.add_row("Auto-failed", Text(str(s["auto_failed"]), style="bold red" if s["auto_failed"] else ""))
    if ctx.gate:
        verdict = "passed" if ctx.gate.get("passed") else "FAILED"
        grid.add_row("Gate", Text(f"{verdict}: {ctx.gate.get('summary', '')}".rstrip(": "),
                                  style="green" if ctx.gate.get("passed") else "bold red"))
    footer = Text(f"rules {ctx.rules_hash} · scorecard {ctx.scorecard_name}", style="dim")
    return Panel(Group(grid, footer), title="poise: professionalism scores", title_align="left",
                 expand=False)


def _calls_table(view: BatchView, width: int) -> Table:
    """Worst first. Wide terminals get one line per call; narrow ones (80 columns) two: the file
    name under the call id, the band under the score, the evidence under the deduction category."""
    shown = view.worst()
    total = view.calls
    title = "Calls, worst first" + (f" ({len(shown)} of {total})" if len(shown) < total else "")
    wide = width >= 120
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True,
                  width=min(width, 160))
    names = [r.name for r in shown]
    id_width = 36 if wide else min(20, max(len(x) for x in [r.id for r in shown] + names + ["call / file"]))
    band_width = max([len(r.band or "") for r in shown] + [5])
    agent_width = min(24 if wide else 12, max([len(r.agent or "") for r in shown] + [5]))
    if wide:
        table.add_column("call", no_wrap=True, overflow="ellipsis", max_width=id_width)
        table.add_column("score", justify="right", no_wrap=True, width=5)
        table.add_column("band", no_wrap=True, width=band_width)
    else:
        table.add_column("call / file", no_wrap=True, overflow="ellipsis", width=id_width)
        table.add_column("score / band", no_wrap=True, width=max(band_width, 12))
    table.add_column("top deduction", no_wrap=True, overflow="ellipsis", ratio=1, min_width=10)
    table.add_column("agent", no_wrap=True, overflow="ellipsis", width=agent_width)
    if wide:
        table.add_column("file", no_wrap=True, overflow="ellipsis",
                         width=min(28, max(len(n) for n in names)))
    for r, name in zip(shown, names):
        top = r.top
        gap = " " if wide else "\n"
        if r.auto_fail:
            worst = Text.assemble(("AUTO-FAIL", "bold red"), gap, r.auto_fail)
        elif top:
            words = _words(top, 40) if top["turn"] is not None else top["message"]
            worst = Text.assemble((top["category"], category_style(top["category"])), gap, words)
        else:
            worst = Text(DASH, style="dim")
        band = Text(r.band or DASH, style=band_style(r.band))
        agent = Text(r.agent or DASH, style="" if r.agent else "dim")
        if wide:
            table.add_row(Text(shorten(r.id, id_width)), fmt_score(r.score), band, worst, agent,
                          Text(shorten(name, 28)))
        else:
            table.add_row(Text.assemble(shorten(r.id, id_width), "\n", (shorten(name, id_width), "dim")),
                          Text.assemble((fmt_score(r.score), "bold"), "\n", band), worst, agent)
    if len(shown) < total:
        table.add_row(Text(f"… {total - len(shown)} more", style="dim"), *[""] * (5 if wide else 3))
    return table


def histogram_counts(results: Iterable[CallResult]) -> list[int]:
    """Calls per 10-point bucket: 0-9, 10-19, ..., 80-89, 90-100 (100 counts in the last)."""
    return BatchView.of(results, limit=1).histogram


def _histogram(view: BatchView, width: int) -> Table | None:
    counts = view.histogram
    if not any(counts):
        return None
    most = max(counts)
    bar_width = max(10, min(50, width - 20))
    table = Table.grid(padding=(0, 1))
    table.title = "Score distribution"
    table.title_justify = "left"
    table.add_column(justify="right", style="dim")
    table.add_column(justify="right")
    table.add_column()
    for i, n in enumerate(counts):
        label = "90–100" if i == 9 else f"{i * 10}–{i * 10 + 9}"
        length = 0 if not n else max(1, round(n / most * bar_width))
        style = band_style(view.histogram_bands[i].most_common(1)[0][0]) if n else ""
        table.add_row(label, str(n), Text(BAR * length, style=style))
    return table


def frequent_findings(results: Iterable[CallResult], polarity: str) -> list[dict[str, Any]]:
    """Per rule: calls it appeared in and findings, most widespread first."""
    return BatchView.of(results, limit=1).frequent(polarity)


def _frequency_table(view: BatchView, polarity: str, top: int = 8) -> Table | None:
    rows = view.frequent(polarity)
    if not rows:
        return None
    mark, what = ("-", "deductions") if polarity == "deduction" else ("+", "credits")
    table = Table(title=f"Most frequent {what} ({mark})", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("rule / message", overflow="fold", ratio=1)
    table.add_column("category", no_wrap=True)
    table.add_column("calls", justify="right", no_wrap=True)
    table.add_column("hits", justify="right", no_wrap=True)
    for row in rows[:top]:
        table.add_row(Group(Text(f"{mark} {row['rule']}", style="bold"), Padding(Text(row["message"]), (0, 0, 0, 2))),
                      Text(row["category"], style=category_style(row["category"])),
                      str(row["calls"]), str(row["findings"]))
    if len(rows) > top:
        table.add_row(Text(f"… {len(rows) - top} more rules", style="dim"), "", "", "")
    return table


def group_rows(results: Iterable[CallResult], key: str) -> list[dict[str, Any]]:
    """Per metadata value of ``key``: calls, mean score, band counts, most frequent deduction category."""
    return BatchView.of(results, key, limit=1).groups()


def _group_table(view: BatchView, key: str, width: int) -> Table:
    rows = view.groups()
    names = _band_names(view.tally.bands)
    names = list(BAND_ORDER) + [n for n in names if n not in BAND_ORDER]
    short = width < 100  # band names as initials, spelled out in the caption
    heads = ["".join(w[0] for w in n.split()).upper() for n in names] if short else names
    table = Table(title=f"By {key}, worst mean first", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, caption_justify="left")
    if short:
        table.caption = "bands: " + " · ".join(f"{h} {n}" for h, n in zip(heads, names))
    table.add_column(key, overflow="fold", ratio=1, min_width=min(16, max(len(g["group"]) for g in rows)))
    table.add_column("calls", justify="right", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    for name, head in zip(names, heads):
        table.add_column(head, justify="right", no_wrap=True, header_style=band_style(name))
    table.add_column("top deduction", no_wrap=True)
    for g in rows:
        top = g["top_category"]
        table.add_row(g["group"], str(g["calls"]), fmt_score(g["mean"]),
                      *[str(g["bands"].get(n, 0)) for n in names],
                      Text(top, style=category_style(top)) if top else Text(DASH, style="dim"))
    return table


# -- conversation metrics across the batch -------------------------------------------------------
#: The shipped metric rules' thresholds (rules/dynamics.yaml, rules/sentiment.yaml): metric ->
#: (operator, value, rule id). Both views mark figures past them; a test keeps them in step
#: with the shipped rules.
RULE_THRESHOLDS: dict[str, tuple[str, float, str]] = {
    "talk_ratio.agent": (">", 0.7, "call-control.talk-ratio"),
    "interruptions.agent": (">=", 3, "call-control.interruptions"),
    "dead_air.count": (">=", 1, "call-control.dead-air"),
    "longest_monologue.agent": (">", 90, "call-control.monologue"),
    "response_latency.agent.median": (">", 4, "call-control.slow-response"),
    "holds.unthanked": (">=", 1, "hold-etiquette.not-thanked-after-hold"),
    "sentiment.customer.change": ("<", -0.3, "customer-sentiment.ended-worse"),
}
_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq}

#: The batch view's distribution rows: metric and how to print its figures.
DISTRIBUTION_METRICS: tuple[tuple[str, str], ...] = (
    ("talk_ratio.agent", "{:.2f}"),
    ("interruptions.agent", "{:g}"),
    ("non_talk_time", "{:.1f}"),
    ("longest_monologue.agent", "{:.1f}"),
    ("talk_speed.agent", "{:.0f}"),
    ("response_latency.agent.median", "{:.2f}"),
    ("sentiment.customer.change", "{:+.2f}"),
)


def crosses(metric: str, value: float | None) -> bool:
    """True when ``value`` is past the shipped rule's threshold for ``metric``."""
    rule = RULE_THRESHOLDS.get(metric)
    return rule is not None and value is not None and bool(_OPS[rule[0]](value, rule[1]))


def threshold_text(metric: str) -> str:
    op, value, _ = RULE_THRESHOLDS[metric]
    return f"{ {'>=': '≥', '<=': '≤'}.get(op, op)} {value:g}"


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between the closest ranks (as numpy's default and dynamics.py)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(result: CallResult) -> bool:
    """The call had the timings conversation metrics need."""
    return (result.metrics or {}).get("duration") is not None


def metric_distributions(results: Iterable[CallResult]) -> list[dict[str, Any]]:
    """Per metric of ``DISTRIBUTION_METRICS``: see ``BatchView.distributions``."""
    return BatchView.of(results, limit=1).distributions()


def _distribution_table(view: "BatchView | Sequence[CallResult]") -> Table | None:
    if not isinstance(view, BatchView):
        view = BatchView.of(view, limit=1)
    if not view.timed:
        return None
    table = Table(title=f"Conversation metrics ({view.timed} of {_count(view.calls, 'call')} timed)",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0),
                  caption_justify="left",
                  caption="calls: calls with the figure (sentiment needs no timings) · times in "
                          "seconds, talk speed in words a minute · past rule: calls past the shipped "
                          "rule's threshold")
    table.add_column("metric", overflow="fold", min_width=16)
    for head in ("calls", "min", "median", "p90", "max"):
        table.add_column(head, justify="right", no_wrap=True)
    table.add_column("past rule", justify="right", no_wrap=True)
    for row in view.distributions():
        cells = [DASH if row[k] is None else row["format"].format(round(row[k], 3))
                 for k in ("min", "median", "p90", "max")]
        if row["crossed"] is None:
            past = Text(DASH, style="dim")
        else:
            past = Text(f"{threshold_text(row['metric'])}: {row['crossed']}",
                        style="yellow" if row["crossed"] else "")
        table.add_row(row["metric"], str(row["calls"]), *cells, past)
    return table


# -- problems on stderr --------------------------------------------------------------------------
def render_problems(results: Iterable[CallResult | Warned], errors: Sequence[Any]) -> None:
    """Transcript warnings and unreadable files, one plain line each on stderr (greppable)."""
    err = console(stderr=True)
    for r in results:
        for warning in r.warnings:
            err.print(Text.assemble(("warning", "yellow"), f": {r.source} ({r.id}): {warning}"),
                      soft_wrap=True)
    for e in errors:
        err.print(Text.assemble(("unreadable", "red"), f": {e.path}: {e.reason}"), soft_wrap=True)


# -- the one-call view ---------------------------------------------------------------------------
def render_call(result: CallResult, ctx: ReportContext) -> None:
    """The trainer's view: header, transcript with evidence, sections, coaching tips."""
    out = console()
    out.print(_call_header(result, ctx))
    _dynamics(out, result)
    by_turn: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    call_level = []
    for f in result.findings:
        (by_turn[f["turn"]] if f["turn"] is not None else call_level).append(f)
    marks = {f["category"]: sign(f) for f in result.findings}
    if marks:
        legend = Text.assemble(("Highlights", "bold"), (" (+ credit, - deduction, ! customer signal)", "dim"), ": ")
        legend.append(Text("  ").join(Text(f"{marks[c]}{c}", style=category_style(c))
                                      for c in sorted(marks, key=lambda c: ("+-!".index(marks[c]), c))))
        out.print(legend)
    out.print(Text("Transcript", style="bold underline"))
    out.print(_transcript(result, by_turn, _plain(out)))
    if call_level:
        out.print(Text("Call-level findings", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for f in call_level:
            body = Text.assemble((f["category"], category_style(f["category"])), f": {f['message']}")
            if f.get("text"):
                body.append(f" ({f['text']})", style="dim")
            grid.add_row(Text(sign(f), style=category_style(f["category"])), body)
        out.print(grid)
    suppressed = getattr(result, "suppressed", ()) or ()
    if suppressed:
        out.print(Text("Set aside (not scored)", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for f in suppressed:
            body = Text.assemble((f["category"], category_style(f["category"])), f": {_words(f, 60)}",
                                 (f" ({_turn_name(f.get('turn'))}; {f.get('suppressed_by') or 'suppressed'})",
                                  "dim"))
            grid.add_row("~", body)
        out.print(grid)
    out.print(_sections_table(result))
    _coaching(out, result)


def _call_header(result: CallResult, ctx: ReportContext) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    score = Text(f"{fmt_score(result.score)} / 100", style="bold")
    if result.band:
        score.append("  ")
        score.append(result.band, style=band_style(result.band))
    grid.add_row("Call", Text(result.id))
    grid.add_row("Score", score)
    if result.auto_fail:
        grid.add_row(Text("AUTO-FAIL", style="bold red"), Text(result.auto_fail, style="bold red"))
    grid.add_row("Agent", Text(result.agent or DASH))
    grid.add_row("Source", Text(f"{result.source} ({result.format})"))
    facts = [f"{len(result.turns)} turns", f"{result.words} words"]
    if result.duration is not None:
        facts.append(clock(result.duration))
    facts.append(_count(len(result.credits), "credit") + " (+)")
    facts.append(_count(len(result.deductions), "deduction") + " (-)")
    grid.add_row("Call facts", " · ".join(facts))
    for warning in result.warnings:
        grid.add_row(Text("warning", style="yellow"), Text(warning))
    footer = Text(f"rules {ctx.rules_hash} · scorecard {ctx.scorecard_name}", style="dim")
    return Panel(Group(grid, footer), title="poise: one call", title_align="left")


def highlight(text: str, findings: Sequence[Mapping[str, Any]], plain: bool = False) -> Text:
    """The turn text with each finding's span styled in its category colour; overlapping spans
    are laid longest first so the shorter stays visible. ``plain``: wrap spans in ``«»`` too."""
    spans = sorted(((f["start"], f["end"], f) for f in findings
                    if f.get("start") is not None and f.get("end") is not None
                    and 0 <= f["start"] < f["end"] <= len(text)),
                   key=lambda s: -(s[1] - s[0]))
    if plain and spans:
        opens, closes = set(), set()
        merged: list[list[int]] = []
        for start, end, _ in sorted(spans, key=lambda s: s[0]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            opens.add(start)
            closes.add(end)
        pieces: list[str] = []
        where: list[int] = []  # original index -> index in the marked text
        length = 0
        for i in range(len(text) + 1):
            if i in closes:
                pieces.append("»")
                length += 1
            if i in opens:
                pieces.append("«")
                length += 1
            where.append(length)
            if i < len(text):
                pieces.append(text[i])
                length += 1
        marked = Text("".join(pieces))
        for start, end, f in spans:
            marked.stylize(_span_style(f), where[start], where[end - 1] + 1)
        return marked
    out = Text(text)
    for start, end, f in spans:
        out.stylize(_span_style(f), start, end)
    return out


def _span_style(finding: Mapping[str, Any]) -> str:
    style = f"bold {category_style(finding['category'])}"
    return style + " underline" if sign(finding) == "-" else style


def _transcript(result: CallResult, by_turn: Mapping[int, list[Mapping[str, Any]]], plain: bool) -> Table:
    timed = any(t.get("start") is not None for t in result.turns)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim", no_wrap=True)
    if timed:
        grid.add_column(style="dim", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for i, turn in enumerate(result.turns):
        findings = sorted(by_turn.get(i, []), key=lambda f: (f.get("start") is None, f.get("start") or 0))
        body = highlight(turn.get("text") or "", findings, plain)
        for f in findings:
            body.append("\n")
            body.append(f"{sign(f)} {f['category']}: {_words(f, 60)}", style=category_style(f["category"]))
        speaker = (turn.get("speaker") or "?").upper() + ":"
        cells = [str(i + 1)]
        if timed:
            cells.append(f"[{clock(turn['start'])}]" if turn.get("start") is not None else "")
        cells += [Text(speaker, style="bold" if turn.get("speaker") == "agent" else ""), body]
        grid.add_row(*cells)
    return grid


def _sections_table(result: CallResult) -> Table:
    table = Table(title="Scorecard sections", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_lines=False)
    table.add_column("section / item (evidence)", overflow="fold", ratio=1)
    table.add_column("score / status", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    for index, s in enumerate(result.sections):
        na = s["score"] is None
        head = Text(s["name"], style="bold")
        head.append(f"  weight {s['weight']:g}", style="dim")
        points = DASH if na else f"{s['earned'] - s['deducted']:g}/{s['potential']:g}"
        table.add_row(head, Text("N/A" if na else fmt_score(s["score"]), style="dim" if na else "bold"), points)
        for line in s["lines"]:
            evidence = [Text(f'{_turn_name(ev.get("turn"))}: ' + (f'"{ev["text"]}"' if ev.get("text")
                                                                    else f'{ev.get("rule")} (nothing said)'),
                             style="dim")
                        for ev in line.get("evidence") or ()]
            label = Text(line["item"])
            if na and line["points"]:
                label.append(" (not counted: section N/A)", style="dim")
            item = Padding(Group(label, *[Padding(e, (0, 0, 0, 2)) for e in evidence]),
                           (0, 0, 0, 2))
            status = line["status"]
            pts = line_points(line, na)
            table.add_row(item, Text(status, style=STATUS_STYLE.get(status, "")), pts)
        if index < len(result.sections) - 1:
            table.add_section()
    return table


def coaching_tips(result: CallResult) -> list[dict[str, Any]]:
    """One entry per distinct deduction rule, most severe first: message, tip, turns."""
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in result.deductions:
        by_rule.setdefault(f["rule"], []).append(f)
    ranked = sorted(by_rule.values(), key=lambda fs: (-SEVERITY_RANK.get(fs[0]["severity"], 0),
                                                      min((f["turn"] if f["turn"] is not None else 10**9) for f in fs)))
    return [{"rule": fs[0]["rule"], "category": fs[0]["category"], "severity": fs[0]["severity"],
             "message": fs[0]["message"], "tip": fs[0].get("tip") or "", "link": fs[0].get("link"),
             "turns": sorted({f["turn"] + 1 for f in fs if f["turn"] is not None}), "count": len(fs)}
            for fs in ranked]


def _coaching(out: Console, result: CallResult) -> None:
    tips = coaching_tips(result)
    out.print(Text("Coaching tips", style="bold underline"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    if not tips:
        grid.add_row("", Text("No deductions: nothing to coach on this call.", style="dim"))
    for tip in tips:
        where = f"turn{'s' if len(tip['turns']) > 1 else ''} {', '.join(map(str, tip['turns']))}" \
            if tip["turns"] else "whole call"
        body = Text(tip["message"], style="bold")
        body.append(f"\n{tip['category']} · {tip['severity']} · {where}", style="dim")
        if tip["tip"]:
            body.append("\n" + tip["tip"])
        if tip["link"]:
            body.append(f"\nmore: {tip['link']}", style="dim")
        grid.add_row(Text("-", style=category_style(tip["category"])), body)
    out.print(grid)
    strengths: dict[str, Mapping[str, Any]] = {}
    for f in result.credits:
        strengths.setdefault(f["rule"], f)
    if strengths:
        out.print(Text("Strengths", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for f in strengths.values():
            grid.add_row(Text("+", style=category_style(f["category"])),
                         Text.assemble(f["message"], (f"  ({f['category']})", "dim")))
        out.print(grid)


# -- the one-call view: timeline, sentiment and conversation metrics -----------------------------
SPARK = "▁▂▃▄▅▆▇█"
#: |compound| below this is neutral (VADER's usual band) and drawn as the middle block ▄
NEUTRAL = 0.05
FULL, PART = "█", "▒"  # a column the speaker fills at least half of / only part of
SILENCE, HOLD, AGENT_INTERRUPTS, CUSTOMER_INTERRUPTS = "·", "H", "▲", "△"
LABEL_WIDTH = 11
SPEAKER_STYLE = {"agent": "dodger_blue1", "customer": "orange1"}
NO_TIMINGS = "No timings in this source: conversation metrics are N/A"


def mss(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour): the timeline's axis labels."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def spark_char(score: float | None) -> str:
    """▁ for −1 up to █ for +1; neutral scores (|x| < 0.05) are ▄; no score is ``·``."""
    if score is None:
        return SILENCE
    if abs(score) < NEUTRAL:
        return SPARK[3]
    return SPARK[min(7, max(0, int((score + 1) / 2 * 8)))]


def sparkline(scores: Sequence[float | None], width: int) -> Text:
    """One character per score, or per bucket of scores (their mean) when more than ``width``."""
    if len(scores) > width > 0:
        size = len(scores) / width
        buckets = [[s for s in scores[int(i * size):int((i + 1) * size)] if s is not None] for i in range(width)]
        scores = [statistics.fmean(b) if b else None for b in buckets]
    out = Text()
    for score in scores:
        style = "dim" if score is None or abs(score) < NEUTRAL else "green" if score > 0 else "red"
        out.append(spark_char(score), style=style)
    return out


def _timed_turns(result: CallResult) -> list[tuple[str, float, float]]:
    return [(t.get("speaker") or "", float(t["start"]), float(t["end"])) for t in result.turns
            if t.get("start") is not None and t.get("end") is not None]


def timeline_rows(result: CallResult, width: int) -> list[tuple[str, Text]] | None:
    """The timeline as (label, row) pairs, each row ``width`` characters: AGENT and CUSTOMER
    speech, pauses (silences ≥ 3 s, holds), interruptions, and the time axis. None without timings."""
    turns = _timed_turns(result)
    metrics = result.metrics or {}
    if not turns or not timed(result) or width < 10:
        return None
    t0 = min(0.0, min(s for _, s, _ in turns))
    t1 = max(e for _, _, e in turns)
    if t1 <= t0:
        return None
    step = (t1 - t0) / width
    tiny = step * 1e-3

    def cells(start: float, end: float) -> range:
        first = max(0, min(width - 1, int((start - t0) / step)))
        last = max(first, min(width - 1, int((end - t0) / step - 1e-9)))
        return range(first, last + 1)

    rows: list[tuple[str, Text]] = []
    for role in ("agent", "customer"):
        covered = [0.0] * width
        for who, start, end in turns:
            if who != role or end <= start:
                continue
            for i in cells(start, end):
                lo, hi = t0 + i * step, t0 + (i + 1) * step
                covered[i] += max(0.0, min(end, hi) - max(start, lo))
        # turns of one speaker may overlap: a column is never more than full
        row = "".join(FULL if c >= step / 2 else PART if c > tiny else " " for c in covered)
        rows.append((role.upper(), Text(row, style=SPEAKER_STYLE[role])))

    pauses = [" "] * width
    holds = metrics.get("hold_list") or []
    windows = [(h["at"], h["at"] + 10 + (h.get("silence") or 0.0)) for h in holds]  # as dead air counts them
    for silence in metrics.get("silences") or []:
        at, length = silence["at"], silence["seconds"]
        mark = HOLD if any(lo <= at <= hi for lo, hi in windows) else SILENCE
        for i in cells(at, at + length):
            if pauses[i] != HOLD:
                pauses[i] = mark
    for h in holds:
        for i in cells(h["at"], h["at"] + (h.get("silence") or 0.0)):
            pauses[i] = HOLD
    pause_row = Text("".join(pauses))
    pause_row.highlight_regex(re.escape(HOLD) + "+", "bold cyan")
    pause_row.highlight_regex(re.escape(SILENCE) + "+", "yellow")
    if not pause_row.plain.strip():
        pause_row = Text("(no silence of 3 s or more)", style="dim")
    rows.append(("pauses", pause_row))

    marks = [" "] * width
    for item in metrics.get("interruption_list") or []:
        i = cells(item["at"], item["at"])[0]
        if item.get("by") == "agent":
            marks[i] = AGENT_INTERRUPTS
        elif marks[i] == " ":
            marks[i] = CUSTOMER_INTERRUPTS
    marks_row = Text("".join(marks))
    marks_row.highlight_regex(AGENT_INTERRUPTS, "bold red")
    marks_row.highlight_regex(CUSTOMER_INTERRUPTS, "magenta")
    if not marks_row.plain.strip():
        marks_row = Text("(no interruptions)", style="dim")
    rows.append(("interrupts", marks_row))
    rows.append(("", Text(time_axis(t0, t1, width), style="dim")))
    return rows


def time_axis(t0: float, t1: float, width: int) -> str:
    """``0:00`` at the left, the end at the right, round times between, never crowded."""
    axis = [" "] * width
    end = mss(t1)
    taken: list[tuple[int, int]] = [(width - len(end), width)]
    axis[width - len(end):] = end
    span = t1 - t0
    steps = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
    step = next((s for s in steps if s / span * width >= 12), steps[-1])
    tick = 0.0 if t0 >= 0 else step * int(t0 / step)
    while tick < t1:
        label = mss(tick)
        col = int((tick - t0) / span * width + 1e-9)  # the column that holds this moment
        if col + len(label) <= width and all(col + len(label) + 1 < a or col > b for a, b in taken):
            axis[col:col + len(label)] = label
            taken.append((col, col + len(label)))
        tick += step
    return "".join(axis)


def _dynamics(out: Console, result: CallResult) -> None:
    """After the header: the timeline, the sentiment sparkline and the conversation metrics."""
    metrics = result.metrics or {}
    if not metrics:
        return  # nothing was computed (a results file from before metrics existed)
    width = max(20, out.width - LABEL_WIDTH)
    rows = timeline_rows(result, width)
    if rows is None:
        out.print(Text(NO_TIMINGS, style="bold"))
    else:
        turns = _timed_turns(result)
        t0, t1 = min(0.0, min(s for _, s, _ in turns)), max(e for _, _, e in turns)
        out.print(Text.assemble(("Timeline", "bold underline"),
                                (f"  {mss(t0)}–{mss(t1)}, one column ≈ {(t1 - t0) / width:.1f} s", "dim")))
        for label, row in rows:
            out.print(Text.assemble((label.ljust(LABEL_WIDTH), "bold" if label.isupper() else "dim"), row),
                      no_wrap=True, overflow="crop")
        out.print(Text(f"{FULL} speaks  {PART} partly  {SILENCE} silence ≥ 3 s  {HOLD} hold  "
                       f"{AGENT_INTERRUPTS} agent / {CUSTOMER_INTERRUPTS} customer interrupts", style="dim"))
    _sentiment(out, result, width)
    if rows is not None:
        out.print(Text("Conversation metrics", style="bold underline"))
        out.print(_metrics_table(metrics))


def _sentiment(out: Console, result: CallResult, width: int) -> None:
    metrics = result.metrics or {}
    scores = metrics.get("sentiment.turns")
    if not scores:
        return
    source = metrics.get("sentiment.source") or "lexicon"
    what = "the source's own labels" if source == "vendor" else "lexicon"
    out.print(Text.assemble(("Sentiment per turn", "bold underline"),
                            (f"  {what}: {SPARK[0]} -1 … {SPARK[3]} neutral … {SPARK[-1]} +1", "dim")))
    speakers = [t.get("speaker") for t in result.turns]

    def lines(values: Sequence[float | None]) -> None:
        for role in ("agent", "customer"):
            mine = [v for who, v in zip(speakers, values) if who == role]
            if mine:
                out.print(Text.assemble((role.upper().ljust(LABEL_WIDTH), "bold"), sparkline(mine, width)),
                          no_wrap=True, overflow="crop")

    lines(scores)
    start, end = metrics.get("sentiment.customer.start"), metrics.get("sentiment.customer.end")
    change = metrics.get("sentiment.customer.change")
    if change is not None:
        mood = Text(f"customer mood: start {start:+.2f} → end {end:+.2f}, change {change:+.2f}")
        if crosses("sentiment.customer.change", change):
            mood.append(f"  past {threshold_text('sentiment.customer.change')}", style="yellow")
    else:
        mood = Text("customer mood: too few customer turns to compare start and end", style="dim")
    out.print(Padding(mood, (0, 0, 0, LABEL_WIDTH)))
    vendor = metrics.get("sentiment.vendor_turns")
    if vendor and any(v is not None for v in vendor):
        out.print(Text("The source's own sentiment labels (POSITIVE +0.6, NEGATIVE -0.6, others 0):",
                       style="dim"))
        lines(vendor)


def _seconds(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f} s"


def _metrics_table(m: Mapping[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def flag(metric: str) -> Text:
        if crosses(metric, m.get(metric)):
            return Text(f"  past {threshold_text(metric)} ({RULE_THRESHOLDS[metric][2]})", style="yellow")
        return Text("")

    def value(text: str, *metrics: str) -> Text:
        out = Text(text)
        for metric in metrics:
            out.append(flag(metric))
        return out

    ratio = m.get("talk_ratio.agent")
    grid.add_row("Talk time", f"agent {_seconds(m.get('talk_time.agent'))} · customer "
                              f"{_seconds(m.get('talk_time.customer'))} · call {_seconds(m.get('duration'))}")
    grid.add_row("Talk ratio", value(DASH if ratio is None else f"agent {ratio:.1%} of the talk time",
                                       "talk_ratio.agent"))
    silences = len(m.get("silences") or [])
    quiet = f"{_seconds(m.get('non_talk_time'))} in {_count(silences, 'silence')} ≥ 3 s" if silences \
        else "none (no silence ≥ 3 s)"
    dead = m.get("dead_air.count") or 0
    if dead:
        quiet += f" · dead air {dead} (longest {_seconds(m.get('dead_air.longest'))})"
    grid.add_row("Non-talk time", value(quiet, "dead_air.count"))
    grid.add_row("Longest monologue", value(f"agent {_seconds(m.get('longest_monologue.agent'))}",
                                            "longest_monologue.agent"))
    speed = m.get("talk_speed.agent")
    grid.add_row("Agent talk speed", DASH if speed is None else f"{speed:.0f} words per minute")
    median, p90 = m.get("response_latency.agent.median"), m.get("response_latency.agent.p90")
    grid.add_row("Response latency", value(DASH if median is None else f"median {_seconds(median)} · p90 {_seconds(p90)}",
                                           "response_latency.agent.median"))
    grid.add_row("Interruptions", value(f"agent {m.get('interruptions.agent') or 0} · customer "
                                        f"{m.get('interruptions.customer') or 0}", "interruptions.agent"))
    holds = m.get("holds.count") or 0
    if holds:
        thanked = holds - (m.get("holds.unthanked") or 0)
        text = f"{holds} · silence {_seconds(m.get('holds.silence'))} · thanked {thanked} of {holds}"
    else:
        text = "none"
    grid.add_row("Holds", value(text, "holds.unthanked"))
    return grid
