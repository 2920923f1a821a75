"""The progress bar on stderr (files, calls, calls/s, ETA), shown only on a terminal and only
for batches worth watching; it wraps the iteration, never the scoring itself."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any, Callable, Iterator

MIN_FILES = 50


@contextlib.contextmanager
def files(scorer: Any) -> Iterator[Callable[..., None]]:
    """Yields ``advance(files, calls=0)``; the bar appears once the file count is known and
    exceeds MIN_FILES, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield lambda n=1, calls=0: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from . import console
    state = {"calls": 0, "start": time.perf_counter(), "task": None}
    bar = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                   TextColumn("{task.fields[calls]} calls · {task.fields[rate]} calls/s"),
                   TimeRemainingColumn(), console=console(stderr=True), transient=True)

    def advance(n: int = 1, calls: int = 0) -> None:
        state["calls"] += calls
        if state["task"] is None:
            total = getattr(scorer, "files_found", 0)
            if total <= MIN_FILES:
                return
            bar.start()
            state["task"] = bar.add_task("score", total=total, calls=0, rate="—")
        elapsed = max(1e-6, time.perf_counter() - state["start"])
        bar.update(state["task"], advance=n, calls=state["calls"], rate=f"{state['calls'] / elapsed:.0f}")

    try:
        yield advance
    finally:
        if state["task"] is not None:
            bar.stop()
