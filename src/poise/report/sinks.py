"""Writing reports while results stream in, so a batch of any size keeps flat memory.

JSON Lines, CSV and the JSON document are written call by call into a temporary file next to
the target and renamed into place at the end (a failed run leaves no half-written report).
The terminal overview is gathered call by call too (``terminal.BatchView``: figures, counts and
the worst calls, not the results). The Markdown, HTML, JUnit, SARIF and GitHub formats and the
``poise check`` gate look at every call once the batch is over: their results go to a
``ResultSpool`` on disk (lean, plus the whole result when the HTML report needs transcripts),
not to memory. When none of those is asked for (the default terminal table,
``-f jsonl|csv|json -o FILE``), nothing is kept at all: only the summary's figures (``Tally``),
the terminal view and the transcripts' warnings. Either way memory does not grow with the batch.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence, TextIO

from ..results import SCHEMA_VERSION, CallResult, Tally
from . import ReportContext
from .spool import ResultSpool

STREAMING = ("jsonl", "csv", "json")


class Target:
    """stdout, or a temp file renamed onto ``path`` by ``commit``."""

    def __init__(self, path: Path | None, newline: str | None = None) -> None:
        self.path = path
        if path is None:
            self.fh: TextIO = sys.stdout
            self.tmp = None
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline=newline)

    def commit(self) -> None:
        if self.tmp is None:
            self.fh.flush()
            return
        self.fh.close()
        from . import default_mode
        os.chmod(self.tmp, default_mode())
        os.replace(self.tmp, self.path)  # type: ignore[arg-type]

    def abort(self) -> None:
        """Drop the temp file (also after a failed ``commit``)."""
        if self.tmp is not None:
            self.fh.close()
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


class _Jsonl:
    def __init__(self, target: Target, ctx: ReportContext) -> None:
        from .jsonl import line
        self.target, self.ctx, self.line = target, ctx, line

    def add(self, r: CallResult) -> None:
        self.target.fh.write(self.line(r, self.ctx))

    def close(self, errors: Sequence[Any], summary: dict[str, Any]) -> None:
        pass


class _Csv:
    def __init__(self, target: Target, ctx: ReportContext) -> None:
        from . import csv_report
        self.target, self.ctx, self.report = target, ctx, csv_report
        target.fh.write("\ufeff")
        self.writer = csv.writer(target.fh, lineterminator="\r\n")
        self.writer.writerow(csv_report.header(ctx))

    def add(self, r: CallResult) -> None:
        self.writer.writerows(self.report.rows(r, self.ctx))

    def close(self, errors: Sequence[Any], summary: dict[str, Any]) -> None:
        pass


class _Json:
    """The JSON document, streamed: calls first, then errors and the summary."""

    def __init__(self, target: Target, ctx: ReportContext) -> None:
        self.target, self.ctx, self.first = target, ctx, True
        head = {"schema_version": SCHEMA_VERSION, "poise_version": ctx.poise_version,
                "rules_hash": ctx.rules_hash, "scorecard": {"name": ctx.scorecard_name, "hash": ctx.scorecard_hash},
                "redacted": ctx.redacted}
        target.fh.write(json.dumps(head, indent=2)[:-2] + ',\n  "calls": [\n')

    def add(self, r: CallResult) -> None:
        text = json.dumps(r.to_dict(), ensure_ascii=False, indent=2, default=str).replace("\n", "\n    ")
        self.target.fh.write(("" if self.first else ",\n") + "    " + text)
        self.first = False

    def close(self, errors: Sequence[Any], summary: dict[str, Any]) -> None:
        tail: dict[str, Any] = {"errors": [e.to_dict() for e in errors], "summary": summary}
        if self.ctx.gate:
            tail["gate"] = self.ctx.gate
        body = json.dumps(tail, ensure_ascii=False, indent=2, default=str)[1:]
        self.target.fh.write(("\n  ]," if not self.first else "  ],") + body + "\n")


class Sinks:
    """Every requested report, fed one result at a time."""

    def __init__(self, pairs: Sequence[tuple[str, Path | None]], ctx: ReportContext, keep: bool | None = None,
                 full: bool = False) -> None:
        """``keep``: spool every result into ``kept``; by default only when a format that lists
        every call needs them. ``full``: spool whole results too (``kept.full(i)``), as the HTML
        report does for its transcripts."""
        self.ctx = ctx
        self.streams: list[tuple[Any, Target]] = []
        self.buffered: list[tuple[str, Path | None]] = []
        self.tally = Tally()
        self.warned: list[Any] = []  # terminal.Warned: the calls with transcript warnings, when not kept
        self.view: Any = None  # terminal.BatchView, when the terminal table is asked for
        for fmt, path in pairs:
            if fmt in STREAMING:
                target = Target(path, newline="" if fmt == "csv" else None)
                writer = {"jsonl": _Jsonl, "csv": _Csv, "json": _Json}[fmt](target, ctx)
                self.streams.append((writer, target))
            elif fmt == "table":
                from .terminal import BatchView
                self.view = BatchView(group_by=ctx.group_by)
            else:
                self.buffered.append((fmt, path))
        self.keep = bool(self.buffered) if keep is None else keep
        full = full or any(fmt == "html" for fmt, _ in self.buffered)
        #: the results for the formats that list every call, on disk (lean; whole when ``full``)
        self.kept: ResultSpool | None = ResultSpool(full=full) if self.keep else None

    @property
    def calls(self) -> int:
        return self.tally.calls

    def add(self, result: CallResult) -> None:
        for writer, _ in self.streams:
            writer.add(result)
        self.tally.add(result)
        if self.view is not None:
            self.view.add(result)
        if self.kept is not None:
            self.kept.append(result)
        elif result.warnings:
            from .terminal import Warned
            self.warned.append(Warned(result.source, result.id, tuple(result.warnings)))

    def abort(self) -> None:
        for _, target in self.streams:
            target.abort()
        self.release()

    def release(self) -> None:
        """Remove the spooled results (``kept`` reads nothing after this)."""
        if self.kept is not None:
            self.kept.close()

    def close(self, errors: Sequence[Any]) -> None:
        from . import console, report_module, terminal
        for writer, target in self.streams:
            writer.close(errors, self.tally.summary(len(errors)))
            target.commit()
            if target.path is not None:
                console(stderr=True).print(f"wrote report: {target.path}", highlight=False)
            else:
                terminal.render_problems(self.kept if self.kept is not None else self.warned, errors)
        if self.view is not None:
            terminal.render(self.view, errors, self.ctx)
        kept = self.kept if self.kept is not None else []
        for fmt, path in self.buffered:
            module = report_module(fmt)
            if path is None:
                sys.stdout.write(module.render(kept, errors, self.ctx))
                sys.stdout.flush()
                terminal.render_problems(kept, errors)
                continue
            target = Target(path, newline="")
            try:
                if hasattr(module, "write"):  # written piece by piece, never whole in memory
                    module.write(target.fh, kept, errors, self.ctx)
                else:
                    target.fh.write(module.render(kept, errors, self.ctx))
                target.commit()
            except BaseException:
                target.abort()
                raise
            console(stderr=True).print(f"wrote {fmt} report: {path}", highlight=False)
        self.release()
