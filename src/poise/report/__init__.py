"""Report writers: one module per output format. Printing happens here, through one Console."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from rich.console import Console


@lru_cache(maxsize=None)
def console(stderr: bool = False) -> Console:
    """The one Console for stdout (reports) and one for stderr (progress, warnings, errors)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False,
                   no_color=bool(os.environ.get("NO_COLOR")) or None,
                   file=sys.stderr if stderr else None)


# -- what every report writer gets ------------------------------------------------------------
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Sequence  # noqa: E402


@dataclass(frozen=True)
class ReportContext:
    """Facts about the run that reports print beside the results."""

    rules_hash: str
    scorecard_name: str
    scorecard_hash: str
    poise_version: str
    group_by: str | None = None
    csv_findings: bool = False
    redacted: bool = True
    gate: dict[str, Any] = field(default_factory=dict)
    section_names: tuple[str, ...] = ()


#: --format name -> module in poise.report providing ``render(results, errors, ctx) -> str``
FILE_FORMATS = {"json": "json_report", "jsonl": "jsonl", "csv": "csv_report", "md": "markdown",
                "html": "html", "junit": "junit", "sarif": "sarif", "github": "github"}
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".md": "md",
              ".markdown": "md", ".html": "html", ".htm": "html", ".xml": "junit", ".sarif": "sarif"}


def line_points(line: Any, section_na: bool) -> str:
    """How a score line's points read in a report: "+10", "-5", "0", "—" for N/A, "+2" given
    back by a cap, in brackets when the section is N/A (shown, but adding nothing)."""
    status, points = line["status"], line["points"]
    if status == "N/A":
        text = "—"
    elif status == "CAPPED":
        text = f"+{points:g}"
    else:
        text = f"{points:+g}" if points else "0"
    return f"({text})" if section_na and points else text


def default_mode() -> int:
    """The mode a plain open() would give a new file (temp files are created 0600)."""
    import os
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, text: str) -> None:
    """Write a file so that readers never see half of it: temp file in the same folder, then rename."""
    from .sinks import Target
    target = Target(Path(path), newline="")
    try:
        target.fh.write(text)
        target.commit()
    except BaseException:
        target.abort()
        raise


def report_module(fmt: str) -> Any:
    """The module writing ``fmt``: ``render(results, errors, ctx) -> str`` and, for reports too
    big to hold as one string, ``write(fh, results, errors, ctx)``."""
    from importlib import import_module
    return import_module(f"{__name__}.{FILE_FORMATS[fmt]}")


def renderer(fmt: str) -> Callable[[Sequence[Any], Sequence[Any], ReportContext], str]:
    return report_module(fmt).render
