"""The HTML report: one self-contained file (inline CSS, JS and SVG; nothing fetched) for QA
analysts reviewing a batch and trainers opening one call to see which words earned or lost points.

Everything from a transcript is untrusted text. It only reaches the page through the Jinja2
template with autoescaping on: this module builds plain data (strings, numbers, tuples), never
markup, and the highlighted transcript is the turn text cut at the findings' offsets into pieces
that the template escapes one by one. The page also carries a Content-Security-Policy that only
lets its own inline script run (by hash) and loads nothing from anywhere.

Built to stay linear for thousands of calls: every per-call figure is computed once here, the
template only loops. Transcripts, the bulk of the file, are included (with evidence quotes and the
coaching advice) for the ``TRANSCRIPT_LIMIT`` lowest-scoring calls; the others keep their row in
the call table, their section scores and their deductions, and the page says how to see the rest.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import os
import re
import statistics
from collections import defaultdict
from datetime import datetime, timezone
from functools import lru_cache
from collections.abc import Sequence as SequenceABC
from types import SimpleNamespace as V
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..results import CallResult
from . import ReportContext, line_points
from .spool import full, order
from .terminal import BAND_ORDER, NO_TIMINGS, BatchView, clock, coaching_tips, fmt_score, mss, sign, timed

#: Calls shown in full (transcript, evidence, advice), the lowest-scoring first; None: all of them.
TRANSCRIPT_LIMIT: int | None = 500
#: Rows in "most frequent deductions".
TOP_DEDUCTIONS = 10
#: Evidence quotes shown per scorecard line (the rest are counted).
EVIDENCE_LIMIT = 3

DASH = "—"
#: Printed signs: credit, deduction, customer signal (context, not the agent's fault).
SIGNS = {"+": "+", "-": "−", "!": "!"}
KIND = {"+": "cr", "-": "de", "!": "sg"}

#: One colour per category, dark enough for text on white: credits in greens, blues and purples,
#: deductions in reds, oranges and browns, the customer's signals in magenta.
CATEGORY_COLOUR = {
    "apology": "#2e7d32", "empathy": "#00796b", "active-listening": "#0277bd",
    "de-escalation": "#00838f", "ownership": "#1565c0", "courtesy": "#6a1b9a",
    "next-steps": "#558b2f", "greeting": "#0288d1", "closing": "#283593",
    "hold-etiquette": "#00695c", "verification": "#4527a0",
    "non-apology": "#e65100", "escalation-trigger": "#bf360c", "blame": "#c62828",
    "rudeness": "#b71c1c", "negative-language": "#a86400", "customer-frustration": "#ad1457",
    "customer-issue": "#8e24aa",
    "customer-sentiment": "#c2185b", "call-control": "#5d4037", "composure": "#795548",
}
_SPARE_COLOURS = ("#6d4c41", "#455a64", "#8e24aa", "#d81b60", "#33691e", "#f4511e", "#3949ab", "#00838f")

#: Bands of the default scorecard (best first) get fixed colours; others a neutral grey.
BAND_COLOUR = {"Excellent": "#1b5e20", "Good": "#43a047", "Needs coaching": "#f9a825", "Unacceptable": "#c62828"}
OTHER_BAND_COLOUR = "#78909c"
STATUS_CLASS = {"PRESENT": "st-present", "NOT_PRESENT": "st-missing", "N/A": "st-na", "DEDUCTION": "st-deduction",
                "CAPPED": "st-capped", "BASE": "st-base"}


# -- entry point -----------------------------------------------------------------------------------
def render(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> str:
    """The report as one HTML document."""
    return "".join(chunks(results, errors, ctx))


def write(fh: TextIO, results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> None:
    """Write the report to ``fh`` piece by piece: a batch of any size never sits in memory whole,
    neither as results (``results`` may be a ``ResultSpool`` on disk) nor as page text."""
    pending: list[str] = []
    size = 0
    for chunk in chunks(results, errors, ctx):  # Jinja yields ~4,500 pieces a call: write them 64 KB at a time
        pending.append(chunk)
        size += len(chunk)
        if size >= 65536:
            fh.write("".join(pending))
            pending.clear()
            size = 0
    fh.write("".join(pending))


def chunks(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> Iterator[str]:
    """The document as Jinja renders it, a piece at a time."""
    # Thousands of calls make hundreds of thousands of small objects, none of them cyclic; the
    # collector's repeated full passes over them tripled the time. Switch it off while rendering.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield from _environment().get_template("report.html.j2").generate(page=_page(results, errors, ctx))
    finally:
        if enabled:
            gc.enable()


class _InOrder(SequenceABC):
    """``results`` in the given order of indices, read one at a time (a spool stays on disk)."""

    def __init__(self, results: Sequence[CallResult], indices: Sequence[int]) -> None:
        self.results, self.indices = results, indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        return self.results[self.indices[k]]

    def __iter__(self) -> Iterator[CallResult]:
        for i in self.indices:
            yield self.results[i]


class _Lazy:
    """Views built while the template loops (again on each loop), never held all at once."""

    def __init__(self, count: int, build: Callable[[], Iterator[Any]]) -> None:
        self.count, self.build = count, build

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        return self.build()


def _page(results: Sequence[CallResult], errors: Sequence[Any], ctx: ReportContext) -> dict[str, Any]:
    """Everything the template shows. The batch figures come from one pass over the calls, worst
    first; the call table and the call details are built call by call as the template loops, the
    ``TRANSCRIPT_LIMIT`` worst calls from their whole results (``spool.full``)."""
    indices = order(results, _worst_first)
    ordered = _InOrder(results, indices)
    n = len(indices)
    shown = n if TRANSCRIPT_LIMIT is None else min(n, max(0, TRANSCRIPT_LIMIT))
    batch = BatchView(limit=1, group_by=ctx.group_by)
    categories: set[str] = set()
    sections: dict[str, list[float]] = {name: [] for name in getattr(ctx, "section_names", ())}
    for r in ordered:
        batch.add(r)
        categories.update(f["category"] for f in (*r.findings, *r.suppressed))
        for sec in r.sections:
            values = sections.setdefault(sec["name"], [])
            if sec.get("score") is not None:
                values.append(float(sec["score"]))
    palette = _palette(categories)
    bands = _band_names(batch.tally.bands)

    def rows() -> Iterator[V]:
        for k, r in enumerate(ordered):
            yield V(**_row(k, r, palette))

    def calls() -> Iterator[V]:
        for k, i in enumerate(indices):
            yield _call(k, full(results, i) if k < shown else results[i], palette, full=k < shown)

    return {
        "title": "poise professionalism report",
        "generated": _now().strftime("%Y-%m-%d %H:%M UTC"),
        "ctx": ctx,
        "summary": _summary(batch, errors, bands),
        "histogram": _histogram(batch),
        "section_chart": _section_chart(sections),
        "frequent": _frequent(batch, palette),
        "rows": _Lazy(n, rows),
        "calls": _Lazy(n, calls),
        "transcripts_shown": shown,
        "errors": [_error(e) for e in errors],
        "groups": _groups(batch, ctx.group_by, bands) if ctx.group_by else None,
        "palette": [{"cls": cls, "colour": colour, "tint": _tint(colour)} for cls, colour in palette.values()],
    }


def _now() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds of the same report)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("poise.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["csp_hash"] = csp_hash
    return env


def csp_hash(text: object) -> str:
    """The Content-Security-Policy source expression allowing exactly this inline script."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


# -- small helpers -----------------------------------------------------------------------------------
def _worst_first(r: CallResult) -> tuple:
    return (r.score is None, r.score if r.score is not None else 0.0, r.id)


def _palette(categories: Iterable[str]) -> dict[str, tuple[str, str]]:
    """category -> (CSS class, colour). Classes are numbered: category names come from rule files."""
    out: dict[str, tuple[str, str]] = {}
    for category in sorted(set(categories)):
        colour = CATEGORY_COLOUR.get(category) or _SPARE_COLOURS[sum(map(ord, category)) % len(_SPARE_COLOURS)]
        out[category] = (f"k{len(out)}", colour)
    return out


def _tint(colour: str, keep: float = 0.16) -> str:
    """The colour mixed with white: a background light enough for black text."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in rgb)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _band_names(counts: Mapping[str, int]) -> list[str]:
    return list(BAND_ORDER) + sorted(set(counts) - set(BAND_ORDER))


def _band(name: str | None, count: int = 0) -> V:
    """A band's label, CSS class and sort rank (best first; no band last)."""
    rank = BAND_ORDER.index(name) if name in BAND_ORDER else len(BAND_ORDER)
    return V(name=name or DASH, cls=f"b-{_slug(name)}" if name in BAND_ORDER else "b-other",
             rank=rank if name else 99, count=count)


def _turn_label(turn: int | None) -> str:
    return "whole call" if turn is None else f"turn {turn + 1}"


def _scalar(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "" else None


def _quote(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= width else f"“{text[:width - 1]}…”"


def _error(error: Any) -> dict[str, str]:
    if isinstance(error, Mapping):
        return {"path": str(error.get("path", "")), "reason": str(error.get("reason", ""))}
    return {"path": str(getattr(error, "path", "")), "reason": str(getattr(error, "reason", ""))}


# -- batch figures ----------------------------------------------------------------------------------
def _summary(batch: BatchView, errors: Sequence[Any], bands: Sequence[str]) -> dict[str, Any]:
    s = batch.tally.summary(len(errors))
    counts = s["bands"]
    return {
        "calls": s["calls"], "unreadable": s["unreadable"], "auto_failed": s["auto_failed"],
        "mean": fmt_score(s["mean_score"]), "median": fmt_score(s["median_score"]),
        "unscored": batch.unscored,
        "bands": [_band(name, counts.get(name, 0)) for name in bands],
    }


def _histogram(batch: BatchView) -> dict[str, Any] | None:
    """Calls per 10-point bucket as SVG bar geometry, each bar coloured by its commonest band."""
    counts = batch.histogram
    if not any(counts):
        return None
    width, height, left, right, top, bottom = 640, 230, 40, 10, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / 10
    most = max(counts)
    bars = []
    for i, n in enumerate(counts):
        label = "90–100" if i == 9 else f"{i * 10}–{i * 10 + 9}"
        h = 0.0 if not n else max(2.0, n / most * plot_h)
        band = batch.histogram_bands[i].most_common(1)[0][0] if n else None
        bars.append({"x": round(left + i * slot + 4, 1), "w": round(slot - 8, 1), "y": round(top + plot_h - h, 1),
                     "h": round(h, 1), "cx": round(left + i * slot + slot / 2, 1), "count": n, "label": label,
                     "fill": BAND_COLOUR.get(band or "", OTHER_BAND_COLOUR),
                     "title": f"{label}: {n} call{'' if n == 1 else 's'}" + (f" (mostly {band})" if band else "")})
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "base": top + plot_h, "most": most, "bars": bars, "label_y": height - bottom + 16}


def _section_chart(scores: Mapping[str, Sequence[float]]) -> dict[str, Any] | None:
    """Mean section score across the calls where the section applied, as SVG horizontal bars;
    ``scores``: section name -> the calls' scores, in the scorecard's order when known."""
    if not scores:
        return None
    width, row, top, label_w, value_w = 640, 28, 8, 190, 110
    bar_w = width - label_w - value_w - 10
    rows = []
    for i, (name, values) in enumerate(scores.items()):
        mean = statistics.fmean(values) if values else None
        y = top + i * row
        short = name if len(name) <= 28 else name[:27] + "…"
        shown = fmt_score(round(mean, 1) if mean is not None else None)
        rows.append({"name": name, "short": short, "y": y, "ty": y + row / 2 + 4, "n": len(values),
                     "w": round(bar_w * (mean or 0) / 100, 1), "mean": shown, "fill": _score_colour(mean),
                     "title": f"{name}: mean {shown} over {len(values)} call(s)" if mean is not None
                     else f"{name}: not applicable to any call"})
    return {"width": width, "height": top * 2 + row * len(rows), "x0": label_w, "bar_w": bar_w, "row": row,
            "bar_h": row - 10, "rows": rows, "value_x": label_w + bar_w + 8, "label_x": label_w - 8}


def _score_colour(score: float | None) -> str:
    if score is None:
        return OTHER_BAND_COLOUR
    for name, floor in (("Excellent", 90), ("Good", 75), ("Needs coaching", 60)):
        if score >= floor:
            return BAND_COLOUR[name]
    return BAND_COLOUR["Unacceptable"]


def _frequent(batch: BatchView, palette: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    rows = batch.frequent("deduction")
    return {"rows": [{**row, "cls": palette[row["category"]][0]} for row in rows[:TOP_DEDUCTIONS]],
            "more": max(0, len(rows) - TOP_DEDUCTIONS)}


def _groups(batch: BatchView, key: str, bands: Sequence[str]) -> dict[str, Any]:
    return {"key": key, "bands": [_band(b) for b in bands],
            "rows": [{"group": g["group"], "calls": g["calls"], "mean": fmt_score(g["mean"]),
                      "bands": [g["bands"].get(b, 0) for b in bands], "top": g["top_category"] or DASH}
                     for g in batch.groups()]}


# -- one call --------------------------------------------------------------------------------------
# Per-call views are SimpleNamespaces, not dicts: Jinja resolves ``c.name`` by getattr first, and
# a failed getattr per lookup is what made dict views slow for thousands of calls.
def _row(index: int, r: CallResult, palette: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """What the call table shows of a call (and the head of its details)."""
    top = r.top_deduction()
    if top:
        worst = f"{top['category']}: " + (_quote(top["text"], 50) if top.get("text") and top["turn"] is not None
                                          else top["message"])
    else:
        worst = DASH
    return dict(anchor=f"call-{index + 1}", id=r.id, score=fmt_score(r.score),
                score_value="" if r.score is None else f"{r.score:g}", band=_band(r.band),
                auto_fail=r.auto_fail or "", agent=r.agent or "", team=_scalar(r.metadata.get("team")) or "",
                worst=worst, worst_cls=palette[top["category"]][0] if top else "",
                credits=len(r.credits), deductions=len(r.deductions))


def _call(index: int, r: CallResult, palette: Mapping[str, tuple[str, str]], *, full: bool) -> V:
    """One call's details. ``full``: with the transcript, evidence quotes, the tips' advice and
    strengths; otherwise (beyond TRANSCRIPT_LIMIT) the scores and what was deducted."""
    row = _row(index, r, palette)
    anchor = row["anchor"]
    facts = [f"{len(r.turns)} turns", f"{r.words} words"]
    if r.duration is not None:
        facts.append(clock(r.duration))
    links = anchor if full and r.turns else None  # evidence and tips link to transcript turns
    return V(
        **row, source=r.source, format=r.format, full=full, facts=" · ".join(facts),
        warnings=list(r.warnings), not_applicable=list(r.not_applicable),
        sections=[_section(s, links, full) for s in r.sections],
        tips=_tips(r, palette, links, full),
        strengths=_strengths(r, palette) if full else [],
        legend=_legend(r, palette) if full else [],
        call_level=[_finding_line(f, palette) for f in r.findings if f["turn"] is None] if full else [],
        suppressed=[_finding_line(f, palette, where=_turn_label(f.get("turn")),
                                  why=f.get("suppressed_by") or "suppressed") for f in r.suppressed] if full else [],
        transcript=_transcript(r, palette, anchor) if full and r.turns else None,
        dynamics=_dynamics(r) if full and r.turns and r.metrics else None,
        transcript_left_out=bool(r.turns) and not full,
    )


def _finding_line(f: Mapping[str, Any], palette: Mapping[str, tuple[str, str]], **extra: Any) -> V:
    s = sign(f)
    return V(sign=SIGNS[s], kind=KIND[s], cls=palette[f["category"]][0], category=f["category"],
             message=f.get("message") or "", text=(f.get("text") or "").strip(), **extra)


def _legend(r: CallResult, palette: Mapping[str, tuple[str, str]]) -> list[V]:
    keys = sorted({(sign(f), f["category"]) for f in r.findings}, key=lambda k: ("+-!".index(k[0]), k[1]))
    return [V(category=c, sign=SIGNS[s], kind=KIND[s], cls=palette[c][0]) for s, c in keys]


def _section(s: Mapping[str, Any], anchor: str | None, full: bool) -> V:
    na = s.get("score") is None
    lines = []
    for line in s.get("lines") or ():
        status = line["status"]
        pts = line_points(line, na)
        evidence = list(line.get("evidence") or ()) if full else []
        lines.append(V(
            item=line["item"], status=status.replace("_", " "), status_cls=STATUS_CLASS.get(status, "st-base"),
            points=pts, more=max(0, len(evidence) - EVIDENCE_LIMIT),
            evidence=[V(where=_turn_label(ev.get("turn")),
                        href=f"#{anchor}-t{ev['turn'] + 1}" if anchor and ev.get("turn") is not None else "",
                        text=_quote(ev["text"], 80) if ev.get("text") else f"{ev.get('rule')} (nothing said)")
                      for ev in evidence[:EVIDENCE_LIMIT]],
        ))
    return V(name=s["name"], weight=f"{s['weight']:g}", na=na, score="N/A" if na else fmt_score(s["score"]),
             points=DASH if na else f"{s['earned'] - s['deducted']:g} / {s['potential']:g}", lines=lines)


def _tips(r: CallResult, palette: Mapping[str, tuple[str, str]], anchor: str | None, full: bool) -> list[V]:
    tips = []
    for tip in coaching_tips(r):
        link = tip.get("link")
        tips.append(V(message=tip["message"], category=tip["category"], severity=tip["severity"],
                      count=tip["count"], cls=palette[tip["category"]][0], tip=tip["tip"] if full else "",
                      turns=[V(n=n, href=f"#{anchor}-t{n}" if anchor else "") for n in tip["turns"]],
                      link=link if full and isinstance(link, str) and link.startswith(("https://", "http://"))
                      else ""))
    return tips


def _strengths(r: CallResult, palette: Mapping[str, tuple[str, str]]) -> list[V]:
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in r.credits:
        by_rule.setdefault(f["rule"], []).append(f)
    return [V(rule=rule, category=fs[0]["category"], cls=palette[fs[0]["category"]][0],
              message=fs[0]["message"], count=len(fs)) for rule, fs in by_rule.items()]


def _transcript(r: CallResult, palette: Mapping[str, tuple[str, str]], anchor: str) -> list[V]:
    by_turn: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for f in r.findings:
        if f["turn"] is not None:
            by_turn[f["turn"]].append(f)
    turns = []
    for i, turn in enumerate(r.turns):
        text = turn.get("text") or ""
        findings = sorted(by_turn.get(i, ()), key=lambda f: (f.get("start") is None, f.get("start") or 0))
        chips: dict[str, V] = {}
        for f in findings:
            chip = chips.get(f["rule"])
            if chip is None:
                chips[f["rule"]] = _finding_line(f, palette, count=1)
            else:
                chip.count += 1
        speaker = turn.get("speaker") or "?"
        turns.append(V(n=i + 1, anchor=f"{anchor}-t{i + 1}", who=turn.get("label") or speaker,
                       agent=speaker == "agent",
                       time=clock(turn.get("start")) if turn.get("start") is not None else "",
                       pieces=highlight_pieces(text, findings, palette) if findings else [(text, "", "", ())],
                       chips=list(chips.values())))
    return turns


def highlight_pieces(text: str, findings: Sequence[Mapping[str, Any]],
                     palette: Mapping[str, tuple[str, str]]) -> list[tuple[str, str, str, tuple]]:
    """The turn text cut at every finding boundary: ``(text, css class, title, end marks)`` per
    piece; class and title are empty for text no finding covers. Where findings overlap, the
    piece takes the look of a deduction over a customer signal over a credit (then the shortest
    span) and its title names all their categories. ``end marks`` are the ``(sign, class)`` of
    the findings ending with the piece, printed after it: credit and deduction differ without
    colour."""
    spans = [f for f in findings if isinstance(f.get("start"), int) and isinstance(f.get("end"), int)
             and 0 <= f["start"] < f["end"] <= len(text)]
    if not spans:
        return [(text, "", "", ())]
    cuts = sorted({0, len(text), *(f["start"] for f in spans), *(f["end"] for f in spans)})
    pieces: list[tuple[str, str, str, tuple]] = []
    for a, b in zip(cuts, cuts[1:]):
        cover = [f for f in spans if f["start"] <= a and f["end"] >= b]
        if not cover:
            pieces.append((text[a:b], "", "", ()))
            continue
        cover.sort(key=lambda f: ("-!+".index(sign(f)), f["end"] - f["start"]))
        primary = cover[0]
        kind = KIND[sign(primary)]
        cls = f"hl {kind} {palette[primary['category']][0]}"
        title = ", ".join(dict.fromkeys(f"{SIGNS[sign(f)]} {f['category']}" for f in cover))
        marks = tuple(dict.fromkeys((SIGNS[sign(f)], palette[f["category"]][0]) for f in cover if f["end"] == b))
        pieces.append((text[a:b], cls, title, marks))
    return pieces



# -- conversation dynamics: timeline, sentiment sparkline, metrics ----------------------------------
#: Timeline geometry (SVG user units): label column, plot width, lane height and pitch.
TL_LEFT, TL_WIDTH, TL_LANE, TL_PITCH, TL_TOP = 78, 640, 14, 20, 6
SPARK_HEIGHT, SPARK_TOP = 70, 8
_TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _dynamics(r: CallResult) -> V:
    """The call's timeline (None without timings), sentiment sparkline and metrics table."""
    m = r.metrics or {}
    timeline = _timeline(r) if timed(r) else None
    return V(timeline=timeline, no_timings=NO_TIMINGS if timeline is None else "",
             spark=_spark(r), metrics=_metric_rows(m) if timeline is not None else [])


def _timeline(r: CallResult) -> V | None:
    m = r.metrics or {}
    turns = [(i, t.get("speaker") or "", s, e) for i, t in enumerate(r.turns)
             for s, e in [(_num(t.get("start")), _num(t.get("end")))] if s is not None and e is not None]
    if not turns:
        return None
    t0 = min(0.0, min(s for _, _, s, _ in turns))
    t1 = max(e for _, _, _, e in turns)
    if t1 <= t0:
        return None
    scale = TL_WIDTH / (t1 - t0)

    def x(t: float) -> float:
        return round(TL_LEFT + (min(max(t, t0), t1) - t0) * scale, 1)

    def w(a: float, b: float) -> float:
        return max(1.0, round(x(b) - x(a), 1))

    lane_y = {name: TL_TOP + k * TL_PITCH for k, name in enumerate(("agent", "customer", "pauses", "interrupts"))}
    lanes = [V(label=name.upper() if name in ("agent", "customer") else name, y=y + TL_LANE / 2 + 4)
             for name, y in lane_y.items()]
    speech = [V(cls="ag" if who == "agent" else "cu", x=x(s), y=lane_y[who], w=w(s, e), h=TL_LANE,
                title=f"turn {i + 1} · {who or '?'} · {mss(s)}–{mss(e)} ({e - s:.1f} s)")
              for i, who, s, e in turns if who in ("agent", "customer") and e > s]
    silences = []
    for item in m.get("silences") or ():
        at, length = _num(item.get("at")), _num(item.get("seconds"))
        if at is not None and length is not None:
            silences.append(V(x=x(at), y=lane_y["pauses"], w=w(at, at + length), h=TL_LANE,
                              title=f"silence at {mss(at)}: {length:.1f} s"))
    holds = []
    for item in m.get("hold_list") or ():
        at = _num(item.get("at"))
        if at is None:
            continue
        length = _num(item.get("silence")) or 0.0
        thanked = "thanked" if item.get("thanked") else "not thanked"
        turn = item.get("turn")
        where = f" (turn {turn + 1})" if isinstance(turn, int) else ""
        holds.append(V(x=x(at), y=lane_y["pauses"], w=w(at, at + length), h=TL_LANE, tx=x(at) + 2,
                       ty=lane_y["pauses"] + TL_LANE - 3,
                       title=f"hold at {mss(at)}{where}: {length:.1f} s silence, {thanked}"))
    interruptions = []
    for item in m.get("interruption_list") or ():
        at = _num(item.get("at"))
        if at is None:
            continue
        by = item.get("by")
        cx, top = x(at), lane_y["interrupts"] + 2
        points = f"{cx - 5:g},{top:g} {cx + 5:g},{top:g} {cx:g},{top + TL_LANE - 4:g}"
        length = _num(item.get("seconds"))
        interruptions.append(V(cls="ag" if by == "agent" else "cu", points=points,
                               title=f"{by or '?'} interrupts at {mss(at)}"
                               + (f" ({length:.1f} s overlap)" if length is not None else "")))
    span = t1 - t0
    step = next((s for s in _TICK_STEPS if span / s <= 8), _TICK_STEPS[-1])
    base = TL_TOP + 4 * TL_PITCH
    ticks, tick = [], step * -(-t0 // step)
    while tick <= t1 + 1e-9:
        ticks.append(V(x=x(tick), label=mss(tick)))
        tick += step
    return V(width=TL_LEFT + TL_WIDTH + 12, height=base + 20, left=TL_LEFT, right=TL_LEFT + TL_WIDTH,
             base=base, label_y=base + 15, lanes=lanes, speech=speech, silences=silences, holds=holds,
             interruptions=interruptions, ticks=ticks, span=f"{mss(t0)}–{mss(t1)}")


def _spark(r: CallResult) -> V | None:
    """One polyline per speaker: a point per turn of theirs with a sentiment score, at the turn's
    place in the call, y from −1 (bottom) to +1 (top)."""
    scores = (r.metrics or {}).get("sentiment.turns")
    if not scores:
        return None
    n = max(len(r.turns), 1)
    top, height = SPARK_TOP, SPARK_HEIGHT
    lines = []
    for role in ("agent", "customer"):
        points = []
        for i, (turn, value) in enumerate(zip(r.turns, scores)):
            v = _num(value)
            if turn.get("speaker") != role or v is None:
                continue
            v = max(-1.0, min(1.0, v))
            px = round(TL_LEFT + (i + 0.5) / n * TL_WIDTH, 1)
            py = round(top + (1 - v) / 2 * height, 1)
            points.append(V(x=px, y=py, title=f"turn {i + 1} · {role}: {v:+.2f}"))
        if points:
            lines.append(V(role=role, label=role.upper(), cls="ag" if role == "agent" else "cu",
                           points=" ".join(f"{p.x:g},{p.y:g}" for p in points), dots=points))
    if not lines:
        return None
    source = (r.metrics or {}).get("sentiment.source") or "lexicon"
    return V(width=TL_LEFT + TL_WIDTH + 12, height=top * 2 + height + 4, left=TL_LEFT, right=TL_LEFT + TL_WIDTH,
             top=top, zero=top + height / 2, bottom=top + height, lines=lines,
             label_ys=[top + height * k / (len(lines) + 1) + 4 for k in range(1, len(lines) + 1)],
             source="the source's own labels" if source == "vendor" else "lexicon")


def _secs(value: Any) -> str:
    v = _num(value)
    return DASH if v is None else f"{v:.1f} s"


def _metric_rows(m: Mapping[str, Any]) -> list[tuple[str, str]]:
    ratio, speed, median = _num(m.get("talk_ratio.agent")), _num(m.get("talk_speed.agent")), \
        _num(m.get("response_latency.agent.median"))
    silences = len(m.get("silences") or ())
    holds = int(_num(m.get("holds.count")) or 0)
    thanked = holds - int(_num(m.get("holds.unthanked")) or 0)
    return [
        ("Talk ratio", DASH if ratio is None else f"agent {ratio:.1%}"),
        ("Non-talk time", f"{_secs(m.get('non_talk_time'))} in {silences} silence{'' if silences == 1 else 's'}"
         if silences else "none (no silence ≥ 3 s)"),
        ("Longest monologue", f"agent {_secs(m.get('longest_monologue.agent'))}"),
        ("Agent talk speed", DASH if speed is None else f"{speed:.0f} wpm"),
        ("Response latency", DASH if median is None else f"median {median:.2f} s"),
        ("Interruptions", f"agent {m.get('interruptions.agent') or 0} · customer {m.get('interruptions.customer') or 0}"),
        ("Holds", f"{holds} · thanked {thanked} of {holds}" if holds else "none"),
    ]
