"""The terminal reports: the batch overview for ``poise score`` and the one-call trainer view
for ``poise show``. Everything is printed through ``report.console()``.

Both views are meant to be read at 80 columns and without colour: colour only repeats what the
text already says (credits are marked ``+``, deductions ``-``, customer signals ``!``; statuses
and bands are spelled out; highlighted evidence is wrapped in ``«»`` when colour is off).
Turns are numbered from 1 for people (``turn 11`` is the eleventh turn, index 10 in JSON).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import PurePath
from typing import Any, Iterable, Mapping, Sequence

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..results import CallResult, summary
from ..scoring import SEVERITY_RANK
from . import ReportContext, console

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
}
_SPARE_STYLES = ("plum2", "khaki1", "light_coral", "pale_turquoise1", "orchid", "gold1", "salmon1")

STATUS_STYLE = {"PRESENT": "green", "NOT_PRESENT": "yellow", "N/A": "dim", "DEDUCTION": "red",
                "CAPPED": "cyan", "BASE": "dim"}
BAR = "█"
DASH = "—"
CUSTOMER_SIGNAL = "customer-frustration"


# -- small helpers -------------------------------------------------------------------------------
def category_style(category: str) -> str:
    if category in CATEGORY_STYLE:
        return CATEGORY_STYLE[category]
    return _SPARE_STYLES[sum(map(ord, category)) % len(_SPARE_STYLES)]


def band_style(band: str | None) -> str:
    return BAND_STYLE.get(band or "", "")


def sign(finding: Mapping[str, Any]) -> str:
    """``+`` credit, ``-`` deduction, ``!`` a customer signal (frustration: context, not a fault)."""
    if finding["category"] == CUSTOMER_SIGNAL:
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


def _points(value: float) -> str:
    return f"{value:+g}" if value else "0"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _plain(out: Console) -> bool:
    """True when colour will not show, so highlights need a mark that survives."""
    return out.no_color or out.color_system is None


def _band_names(results: Iterable[CallResult]) -> list[str]:
    found = {r.band for r in results if r.band}
    return [b for b in BAND_ORDER if b in found] + sorted(found - set(BAND_ORDER))


def _band_counts(results: Sequence[CallResult], names: Sequence[str]) -> Text:
    counts = Counter(r.band for r in results if r.band)
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
def render(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext, *, limit: int = 50) -> None:
    """``poise score`` in the terminal: one call gets the trainer view, a batch the overview."""
    if len(results) == 1:
        render_call(results[0], ctx)
        render_problems(results, errors)
        return
    out = console()
    out.print(_summary_panel(results, errors, ctx))
    if results:
        out.print(_calls_table(results, limit, out.width))
        histogram = _histogram(results, out.width)
        if histogram is not None:
            out.print(histogram)
        for table in (_frequency_table(results, "deduction"), _frequency_table(results, "credit")):
            if table is not None:
                out.print(table)
        if ctx.group_by:
            out.print(_group_table(results, ctx.group_by, out.width))
    render_problems(results, errors)


def _summary_panel(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> Panel:
    s = summary(results, len(errors))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Calls scored", str(s["calls"]))
    grid.add_row("Unreadable files", Text(str(s["unreadable"]), style="bold red" if s["unreadable"] else ""))
    grid.add_row("Mean score", fmt_score(s["mean_score"]))
    grid.add_row("Median score", fmt_score(s["median_score"]))
    unscored = sum(1 for r in results if r.score is None)
    if unscored:
        grid.add_row("Not scorable", Text(f"{unscored} (no scorecard section applied)", style="yellow"))
    names = _band_names(results)
    names = list(BAND_ORDER) + [n for n in names if n not in BAND_ORDER]
    grid.add_row("Bands", _band_counts(results, names))
    grid.add_row("Auto-failed", Text(str(s["auto_failed"]), style="bold red" if s["auto_failed"] else ""))
    if ctx.gate:
        verdict = "passed" if ctx.gate.get("passed") else "FAILED"
        grid.add_row("Gate", Text(f"{verdict}: {ctx.gate.get('summary', '')}".rstrip(": "),
                                  style="green" if ctx.gate.get("passed") else "bold red"))
    footer = Text(f"rules {ctx.rules_hash} · scorecard {ctx.scorecard_name}", style="dim")
    return Panel(Group(grid, footer), title="poise: professionalism scores", title_align="left",
                 expand=False)


def _calls_table(results: Sequence[CallResult], limit: int, width: int) -> Table:
    """Worst first. Wide terminals get one line per call; narrow ones (80 columns) two: the file
    name under the call id, the band under the score, the evidence under the deduction category."""
    ordered = sorted(results, key=lambda r: (r.score is None, r.score if r.score is not None else 0.0, r.id))
    shown = ordered[:limit] if limit and len(ordered) > limit else ordered
    title = "Calls, worst first" + (f" ({len(shown)} of {len(ordered)})" if len(shown) < len(ordered) else "")
    wide = width >= 120
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True,
                  width=min(width, 160))
    names = [PurePath(r.source).name for r in shown]
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
        top = r.top_deduction()
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
    if len(shown) < len(ordered):
        table.add_row(Text(f"… {len(ordered) - len(shown)} more", style="dim"), *[""] * (5 if wide else 3))
    return table


def histogram_counts(results: Iterable[CallResult]) -> list[int]:
    """Calls per 10-point bucket: 0-9, 10-19, ..., 80-89, 90-100 (100 counts in the last)."""
    counts = [0] * 10
    for r in results:
        if r.score is not None:
            counts[min(9, max(0, int(r.score // 10)))] += 1
    return counts


def _histogram(results: Sequence[CallResult], width: int) -> Table | None:
    scored = [r for r in results if r.score is not None]
    if not scored:
        return None
    counts = histogram_counts(scored)
    bands: dict[int, Counter] = defaultdict(Counter)
    for r in scored:
        bands[min(9, int(r.score // 10))][r.band] += 1  # type: ignore[operator]
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
        style = band_style(bands[i].most_common(1)[0][0]) if n else ""
        table.add_row(label, str(n), Text(BAR * length, style=style))
    return table


def frequent_findings(results: Iterable[CallResult], polarity: str) -> list[dict[str, Any]]:
    """Per rule: calls it appeared in and findings, most widespread first."""
    calls: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    info: dict[str, Mapping[str, Any]] = {}
    for r in results:
        found = r.deductions if polarity == "deduction" else r.credits
        for f in found:
            hits[f["rule"]] += 1
            info.setdefault(f["rule"], f)
        for rule in {f["rule"] for f in found}:
            calls[rule] += 1
    ranked = sorted(hits, key=lambda rule: (-calls[rule], -hits[rule], rule))
    return [{"rule": rule, "category": info[rule]["category"], "calls": calls[rule], "findings": hits[rule],
             "message": info[rule]["message"]} for rule in ranked]


def _frequency_table(results: Sequence[CallResult], polarity: str, top: int = 8) -> Table | None:
    rows = frequent_findings(results, polarity)
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
    groups: dict[str, list[CallResult]] = defaultdict(list)
    for r in results:
        groups[r.group(key)].append(r)
    rows = []
    for name, members in groups.items():
        scores = [r.score for r in members if r.score is not None]
        categories = Counter(f["category"] for r in members for f in r.deductions)
        rows.append({"group": name, "calls": len(members),
                     "mean": round(statistics.fmean(scores), 1) if scores else None,
                     "bands": Counter(r.band for r in members if r.band),
                     "top_category": categories.most_common(1)[0][0] if categories else None,
                     "results": members})
    rows.sort(key=lambda g: (g["mean"] is None, g["mean"] if g["mean"] is not None else 0.0, g["group"]))
    return rows


def _group_table(results: Sequence[CallResult], key: str, width: int) -> Table:
    rows = group_rows(results, key)
    names = _band_names(results)
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


# -- problems on stderr --------------------------------------------------------------------------
def render_problems(results: Sequence[CallResult], errors: Sequence[Any]) -> None:
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
            if status == "N/A":
                pts = DASH
            elif status == "CAPPED":
                pts = f"+{line['points']:g}"
            else:
                pts = _points(line["points"])
            if na and line["points"]:
                pts = f"({pts})"  # shown for the trainer, but an N/A section adds nothing to the score
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
