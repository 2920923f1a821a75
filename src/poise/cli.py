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
    script = "script"


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


RulesOpt = Annotated[list[Path], typer.Option("--rules", help="Folder (or file) of extra rules; "
                                              "same ids override the defaults (repeatable).")]
OnlyOpt = Annotated[list[str], typer.Option("--only", help="Keep only these rule ids, id prefixes or categories.")]
DisableOpt = Annotated[list[str], typer.Option("--disable", help="Drop these rule ids, id prefixes or categories.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", help="An installed trained spaCy pipeline "
                                                 "(enables dependency rules); never downloaded.")]
NoDefaultsOpt = Annotated[bool, typer.Option("--no-default-rules", help="Do not load the shipped rule packs.")]


def _ruleset(rules: list[Path], only: list[str], disable: list[str], no_defaults: bool):
    from .rules import load_ruleset
    return load_ruleset(rules, defaults=not no_defaults, only=only, disable=disable)


def _detector(rule_list, model: Optional[str]):
    from .detect import Detector
    from .report import console
    detector = Detector(rule_list, model=model)
    for warning in detector.warnings:
        console(stderr=True).print(f"[yellow]warning[/]: {warning}", highlight=False)
    return detector


def _outputs(formats: list[str], outputs: list[Path]) -> list[tuple[str, Optional[Path]]]:
    """Pair --format and --output: one each, or formats inferred from output extensions."""
    from .report import EXTENSIONS, FILE_FORMATS
    known = set(FILE_FORMATS) | {"table"}
    for f in formats:
        if f not in known:
            raise UsageError(f"unknown --format {f!r}; choose from {', '.join(sorted(known))}")
    if not outputs:
        if len([f for f in formats if f != "table"]) > 1:
            raise UsageError("several --format values need an --output for each")
        return [(f, None) for f in formats] or [("table", None)]
    if len(formats) == len(outputs):
        return list(zip(formats, outputs))
    if formats and len(formats) != 1:
        raise UsageError("give one --format per --output, or let the --output extensions say the format")
    pairs = []
    for out in outputs:
        fmt = formats[0] if formats else EXTENSIONS.get(out.suffix.lower())
        if fmt is None:
            raise UsageError(f"cannot tell the format of {out} from its extension; add --format")
        pairs.append((fmt, out))
    if not formats:
        pairs.insert(0, ("table", None))
    return pairs


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
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    scorecard: Annotated[Optional[Path], typer.Option("--scorecard", help="Your scorecard YAML "
                                                      "(default: the shipped one).")] = None,
    output_format: Annotated[list[str], typer.Option("--format", "-f", help="table, json, jsonl, csv, md or "
                                                     "html (repeatable, one per --output).")] = [],
    output: Annotated[list[Path], typer.Option("--output", "-o", help="Write a report to this file "
                                               "(repeatable; format from --format or the extension).")] = [],
    group_by: Annotated[Optional[str], typer.Option("--group-by", help="Aggregate by a metadata key "
                                                    "(agent, team, queue...).")] = None,
    csv_findings: Annotated[bool, typer.Option("--csv-findings", help="CSV: one row per finding "
                                               "instead of one per call.")] = False,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Do not mask personal data in outputs.")] = False,
) -> None:
    """Score transcripts: files and folders in any supported format."""
    from .api import Scorer
    from .batch import InputError
    from .formats import LoadOptions

    pairs = _outputs(output_format, output)
    options = LoadOptions(input_format=input_format.value if input_format else None,
                          agent_label=agent, csv_columns=_parse_columns(csv_columns),
                          max_file_size=_parse_size(max_file_size))
    scorer = Scorer(rule_dirs=rules, scorecard_path=scorecard, only=only, disable=disable,
                    default_rules=not no_default_rules, model=model, redact=not no_redact,
                    load_options=options)
    _warn(scorer.warnings)
    results, errors = [], []
    for item in scorer.score_files(paths, include, exclude):
        (errors if isinstance(item, InputError) else results).append(item)
    if not results and not errors:
        raise UsageError("no transcript files found in " + ", ".join(map(str, paths)))
    _write_reports(pairs, results, errors, _context(scorer, group_by, csv_findings))
    raise typer.Exit(EXIT_UNREADABLE if errors else EXIT_OK)


def _warn(warnings: list[str]) -> None:
    from .report import console
    for warning in warnings:
        console(stderr=True).print(f"[yellow]warning[/]: {warning}", highlight=False)


def _context(scorer, group_by: Optional[str], csv_findings: bool, gate: Optional[dict] = None):
    from .report import ReportContext
    return ReportContext(rules_hash=scorer.rules_hash, scorecard_name=scorer.scorecard.name,
                         scorecard_hash=scorer.scorecard.hash, poise_version=__version__,
                         group_by=group_by, csv_findings=csv_findings, redacted=scorer.redact,
                         gate=gate or {})


def _write_reports(pairs, results, errors, ctx) -> None:
    from .report import atomic_write, renderer, terminal
    for fmt, path in pairs:
        if fmt == "table":
            terminal.render(results, errors, ctx)
            continue
        text = renderer(fmt)(results, errors, ctx)
        if path is None:
            sys.stdout.write(text)
            terminal.render_problems(results, errors)
        else:
            atomic_write(path, text)
            from .report import console
            console(stderr=True).print(f"wrote {fmt} report: {path}", highlight=False)


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="One transcript file.")],
    call_id: Annotated[Optional[str], typer.Option("--call", help="Which call, when the file holds several.")] = None,
    input_format: Annotated[Optional[InputFormat], typer.Option("--input-format")] = None,
    agent: Annotated[Optional[str], typer.Option("--agent")] = None,
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    scorecard: Annotated[Optional[Path], typer.Option("--scorecard")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact")] = False,
) -> None:
    """One call for a trainer: the transcript with evidence highlighted, sections, coaching tips."""
    from .api import Scorer
    from .batch import InputError
    from .formats import LoadOptions
    from .report import terminal
    options = LoadOptions(input_format=input_format.value if input_format else None, agent_label=agent)
    scorer = Scorer(rule_dirs=rules, scorecard_path=scorecard, only=only, disable=disable,
                    default_rules=not no_default_rules, model=model, redact=not no_redact,
                    load_options=options)
    _warn(scorer.warnings)
    items = list(scorer.score_files([path]))
    errors = [i for i in items if isinstance(i, InputError)]
    results = [i for i in items if not isinstance(i, InputError)]
    if errors:
        terminal.render_problems([], errors)
        raise typer.Exit(EXIT_UNREADABLE)
    if call_id:
        results = [r for r in results if r.id == call_id]
        if not results:
            raise UsageError(f"no call {call_id!r} in {path}")
    for result in results:
        terminal.render_call(result, _context(scorer, None, False))


rules_app = typer.Typer(help="Write, check and test rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("validate")
def rules_validate(
    folders: Annotated[Optional[list[Path]], typer.Argument(help="Rule folders or files (default: the shipped packs).")] = None,
) -> None:
    """Check rule files: every problem with file:line:column and what to fix. Exit 2 on error."""
    from .report import rules as report
    from .rules import RuleErrors, default_rules_dir, load_rules
    from .rules.loader import rule_files
    targets = folders or [default_rules_dir()]
    try:
        rule_list = load_rules(targets)
    except RuleErrors as exc:
        report.validation_problems(exc.problems)
        raise typer.Exit(EXIT_USAGE)
    report.validation_ok(rule_list, sum(len(rule_files(Path(t))) for t in targets))


@rules_app.command("test")
def rules_test(
    folders: Annotated[Optional[list[Path]], typer.Argument(help="Rule folders or files (default: the shipped packs).")] = None,
    coverage: Annotated[list[Path], typer.Option("--coverage", help="Also list rules that never fire on "
                                                  "these transcripts (files or folders).")] = [],
    model: ModelOpt = None,
) -> None:
    """Run every rule's match / no_match examples. Exit 1 when any fails."""
    from .report import rules as report
    from .rules import default_rules_dir, load_rules
    from .ruletest import run_examples
    rule_list = load_rules(folders or [default_rules_dir()])
    detector = _detector(rule_list, model)
    results = list(run_examples(detector))
    report.example_results(results)
    if coverage:
        from .batch import discover, load_files, LoadedFile
        from .formats import LoadOptions
        files, _ = discover(coverage)
        calls = [t for f in load_files(files, LoadOptions()) if isinstance(f, LoadedFile) for t in f.transcripts]
        fired = {f.rule for a in detector.analyze_many(calls) for f in a.findings if f.kind != "missing"}
        report.coverage([r for r in rule_list if r.id not in fired], len(rule_list), len(calls))
    raise typer.Exit(EXIT_GATE if any(not r.passed for r in results) else EXIT_OK)


@rules_app.command("list")
def rules_list(rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [],
               no_default_rules: NoDefaultsOpt = False) -> None:
    """A table of rules: id, category, polarity, severity, message."""
    from .report import rules as report
    report.rule_table(_ruleset(rules, only, disable, no_default_rules))


@rules_app.command("explain")
def rules_explain(
    text: Annotated[str, typer.Argument(help="An utterance to analyse.")],
    customer: Annotated[Optional[str], typer.Option("--customer", help="The customer line before it.")] = None,
    speaker: Annotated[str, typer.Option("--speaker", help="Who says TEXT: agent or customer.")] = "agent",
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Show tokens, which rules matched where, and which were cancelled and why."""
    from .report import rules as report
    from .transcript import RoleAssignment, Transcript, Turn
    if speaker not in ("agent", "customer"):
        raise UsageError("--speaker must be agent or customer")
    detector = _detector(_ruleset(rules, only, disable, no_default_rules), model)
    turns = ([Turn("customer", "Customer", customer)] if customer else []) + [Turn(speaker, speaker.title(), text)]
    call = Transcript("explain", tuple(turns), roles=RoleAssignment("source"))
    report.explain(detector.analyze(call, explain=True), detector)


@rules_app.command("import-contact-lens")
def rules_import_contact_lens(
    files: Annotated[list[Path], typer.Argument(help="Contact Lens rule JSON files (or folders of them).",
                                                show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the poise rule files.")] = Path("contact-lens-rules"),
    category: Annotated[Optional[str], typer.Option("--category", help="Put every imported rule in this "
                                                    "category instead of one derived from the rule name.")] = None,
) -> None:
    """Convert Amazon Connect Contact Lens rules to poise rule files; report what was skipped and why."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text
    from .report import console
    from .rules.contact_lens_import import ContactLensErrors, convert_files, summary, write_conversions
    try:
        conversions = convert_files(files, category=category)
    except ContactLensErrors as exc:
        for problem in exc.problems:
            console(stderr=True).print(f"[red]error[/]: {escape(str(problem))}", highlight=False)
        console(stderr=True).print("nothing was written")
        raise typer.Exit(EXIT_USAGE)
    write_conversions(conversions, output)
    out, counts = console(), summary(conversions)
    table = Table(title=f"Contact Lens import into {output}", title_justify="left")
    for column in ("input", "rules", "written to", "skipped parts"):
        table.add_column(column, overflow="fold")
    for conv in conversions:
        table.add_row(Text(counts["display"][conv.source]), str(len(conv.rules)),
                      Text(conv.output.name if conv.output else "nothing (all skipped)"),
                      str(len(conv.skipped)) if conv.skipped else "")
    out.print(table)
    for conv in [c for c in conversions if c.skipped]:
        out.print(Text(f"{counts['display'][conv.source]} ({conv.name}):", style="yellow"))
        for item in conv.skipped:
            out.print(Text(f"  skipped {item}"))
    out.print(f"[green]{counts['converted']} of {counts['files']}[/] file(s) converted into {counts['rules']} "
              f"rule(s); {len(counts['skipped_files'])} skipped entirely, {len(counts['partly_skipped'])} "
              "in part (reasons above)", highlight=False)
    if counts["user_categories"]:
        out.print(Text(f"{len(counts['user_categories'])} user-defined categories (polarity credit, severity "
                       f"info): {', '.join(counts['user_categories'])}"))
    out.print(Text(f"Review the files, add no_match examples by hand, then run: poise rules validate {output} "
                   f"&& poise rules test {output}"))


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
