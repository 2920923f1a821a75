"""The ``poise`` command: parses options, calls the library, sets exit codes. Nothing else.

Exit codes: 0 ok, 1 a gate failed, 2 usage or configuration error, 3 some inputs unreadable,
4 internal error (a bug: please report it with the output of ``--debug``).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import PoiseError, UsageError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3, 4

app = typer.Typer(
    name="poise",
    help="Score the professionalism of customer-service calls from their transcripts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

_state = {"debug": False}


class InputFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    aws_transcribe = "aws-transcribe"
    contact_lens = "contact-lens"
    genesys = "genesys"
    ccai = "ccai"
    vtt = "vtt"
    srt = "srt"
    csv = "csv"


class OutputFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"poise {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    _state["debug"] = debug


def _parse_size(value: str) -> int:
    text = value.strip().upper().replace(" ", "")
    units = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1}
    for unit, factor in units.items():
        if text.endswith(unit):
            text, mult = text[: -len(unit)], factor
            break
    else:
        mult = 1e6
    try:
        return int(float(text) * mult)
    except ValueError as exc:
        raise UsageError(f"--max-file-size: cannot read {value!r} as a size (e.g. 50MB)") from exc


def _parse_columns(value: Optional[str]) -> dict[str, str]:
    if not value:
        return {}
    mapping = {}
    for part in value.split(","):
        key, sep, column = part.partition("=")
        if not sep or key.strip() not in ("speaker", "text", "start", "end", "id"):
            raise UsageError(f"--csv-columns: expected ours=theirs pairs such as "
                             f"'speaker=Who,text=Utterance', got {part!r}")
        mapping[key.strip()] = column.strip()
    return mapping


@app.command()
def score(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (walked recursively).",
                                                show_default=False)],
    include: Annotated[list[str], typer.Option("--include", help="Glob of files to read in folders "
                                               "(repeatable; default: all supported extensions).")] = [],
    exclude: Annotated[list[str], typer.Option("--exclude", help="Glob of files to skip (repeatable).")] = [],
    input_format: Annotated[Optional[InputFormat], typer.Option(
        "--input-format", help="Force the input format instead of sniffing it.")] = None,
    agent: Annotated[Optional[str], typer.Option(
        "--agent", help="The speaker label of the agent, when the source does not say.")] = None,
    csv_columns: Annotated[Optional[str], typer.Option(
        "--csv-columns", help="Map CSV columns, e.g. 'speaker=Who,text=Utterance,start=Begin'.")] = None,
    max_file_size: Annotated[str, typer.Option("--max-file-size", help="Skip larger files.")] = "50MB",
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Score transcripts: files and folders in any supported format."""
    from .batch import InputError, discover, load_files
    from .formats import LoadOptions
    from .report import jsonl as jsonl_report, loaded

    options = LoadOptions(input_format=input_format.value if input_format else None,
                          agent_label=agent, csv_columns=_parse_columns(csv_columns),
                          max_file_size=_parse_size(max_file_size))
    files, errors = discover(paths, include, exclude)
    if not files and not errors:
        raise UsageError("no transcript files found in " + ", ".join(map(str, paths)))
    transcripts = []
    for item in load_files(files, options):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            transcripts.extend(item.transcripts)
    if output_format is OutputFormat.jsonl:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
        try:
            for t in transcripts:
                jsonl_report.write_line(jsonl_report.call_record(t), out)
        finally:
            if output:
                out.close()
        loaded.render_problems(transcripts, errors)
    else:
        loaded.render(transcripts, errors)
    raise typer.Exit(EXIT_UNREADABLE if errors else EXIT_OK)


def main() -> None:
    """Entry point: run the app, turning poise errors into messages and exit codes."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except _click_exceptions() as exc:  # bad option, missing argument...
        exc.show()
        sys.exit(EXIT_USAGE)
    except PoiseError as exc:
        _fail(str(exc), EXIT_USAGE)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("aborted", 130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
        if _state["debug"]:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              EXIT_INTERNAL)


def _click_exceptions() -> tuple[type[BaseException], ...]:
    """Typer raises its own copy of click's exceptions; catch whichever this version uses."""
    found: list[type[BaseException]] = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(__import__(name, fromlist=["ClickException"]).ClickException)
        except ImportError:
            continue
    return tuple(found)


def _fail(message: str, code: int) -> None:
    from .report import console
    console(stderr=True).print(f"[red]error[/]: {message}", markup=True, highlight=False)
    sys.exit(code)
