"""The terminal table of what was loaded: calls, turns, words, duration, roles, format."""

from __future__ import annotations

from typing import Sequence

from rich.table import Table

from ..batch import InputError
from ..detect import CallAnalysis
from ..transcript import Transcript
from . import console


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def render(analyses: Sequence[CallAnalysis], errors: Sequence[InputError]) -> None:
    out = console()
    transcripts = [a.transcript for a in analyses]
    table = Table(title=f"Loaded {len(transcripts)} call(s)", title_justify="left")
    for column, justify in (("call", "left"), ("format", "left"), ("turns", "right"),
                            ("words", "right"), ("duration", "right"), ("roles", "left"),
                            ("agent found by", "left"), ("credits", "right"), ("deductions", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for a in analyses:
        t = a.transcript
        credits = sum(1 for f in a.findings if f.polarity == "credit")
        roles = ", ".join(f"{r} {sum(1 for x in t.turns if x.speaker == r)}"
                          for r in t.speakers_found())
        how = t.roles.method if t.roles.method != "heuristic" else \
            f"heuristic ({t.roles.confidence:.0%})"
        table.add_row(t.id, t.format, str(len(t.turns)), str(t.word_count), _duration(t.duration),
                      roles, "[red]no agent[/]" if not t.has_agent else how, str(credits),
                      str(len(a.findings) - credits))
    if transcripts:
        table.add_section()
        table.add_row("total", "", str(sum(len(t.turns) for t in transcripts)),
                      str(sum(t.word_count for t in transcripts)),
                      _duration(sum(t.duration or 0 for t in transcripts)), "", "",
                      str(sum(1 for a in analyses for f in a.findings if f.polarity == "credit")),
                      str(sum(1 for a in analyses for f in a.findings if f.polarity == "deduction")))
    out.print(table)
    render_problems(transcripts, errors)


def render_problems(transcripts: Sequence[Transcript], errors: Sequence[InputError]) -> None:
    err = console(stderr=True)
    for t in transcripts:
        for warning in t.warnings:
            err.print(f"[yellow]warning[/]: {t.source} ({t.id}): {warning}", markup=True)
    for e in errors:
        err.print(f"[red]unreadable[/]: {e.path}: {e.reason}", markup=True, highlight=False)
