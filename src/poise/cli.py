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


def _parse_size(value: Optional[str]) -> int:
    if value is None:
        return 50_000_000
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
    """Pair --format and --output: one each, or formats inferred from output extensions; every
    output must be writable (checked before any call is scored, not after)."""
    pairs = _pair_outputs(formats, outputs)
    for _, path in pairs:
        if path is not None:
            _check_writable(path)
    return pairs


def _check_writable(path: Path) -> None:
    """A report can be written to ``path``: its folder exists or can be made, and takes a file."""
    import os
    if path.is_dir():
        raise UsageError(f"cannot write the report to {path}: it is a folder; name a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: cannot make its folder "
                         f"({exc.strerror or exc})") from exc
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the report to {path}: its folder is not writable")


def _pair_outputs(formats: list[str], outputs: list[Path]) -> list[tuple[str, Optional[Path]]]:
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


# -- options shared by score, check and show ------------------------------------------------------
PathsArg = Annotated[list[Path], typer.Argument(help="Transcript files, call scripts or folders (walked "
                                                "recursively).", show_default=False)]
IncludeOpt = Annotated[list[str], typer.Option("--include", help="Glob of files to read in folders "
                                               "(repeatable; default: all supported extensions).")]
ExcludeOpt = Annotated[list[str], typer.Option("--exclude", help="Glob of files to skip (repeatable).")]
InputFormatOpt = Annotated[Optional[InputFormat], typer.Option("--input-format",
                                                               help="Force the input format instead of sniffing it.")]
AgentOpt = Annotated[Optional[str], typer.Option("--agent", help="The speaker label of the agent, when the "
                                                 "source does not say.")]
CsvColumnsOpt = Annotated[Optional[str], typer.Option("--csv-columns", help="Map CSV columns, e.g. "
                                                      "'speaker=Who,text=Utterance,start=Begin'.")]
MaxSizeOpt = Annotated[Optional[str], typer.Option("--max-file-size", help="Skip larger files [default: 50MB].")]
ScorecardOpt = Annotated[Optional[Path], typer.Option("--scorecard", help="Your scorecard YAML (default: the shipped one).")]
FormatOpt = Annotated[list[str], typer.Option("--format", "-f", help="table, json, jsonl, csv, md, html, junit, "
                                              "sarif or github (repeatable, one per --output).")]
OutputOpt = Annotated[list[Path], typer.Option("--output", "-o", help="Write a report to this file "
                                               "(repeatable; format from --format or the extension).")]
GroupByOpt = Annotated[Optional[str], typer.Option("--group-by", help="Aggregate by a metadata key (agent, team, queue...).")]
CsvFindingsOpt = Annotated[bool, typer.Option("--csv-findings", help="CSV: one row per finding instead of one per call.")]
NoRedactOpt = Annotated[bool, typer.Option("--no-redact", help="Do not mask personal data in outputs.")]
class SentimentSource(str, Enum):
    lexicon = "lexicon"
    vendor = "vendor"


SentimentOpt = Annotated[SentimentSource, typer.Option("--sentiment", help="Per-turn sentiment from poise's "
                                                       "lexicon model, or the vendor's labels where the source has them.")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", "-j", min=1, help="Worker processes "
                                                 "(default: number of cores); 1 scores in this process.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache (.poise-cache/). "
                                             "(Rule files that loaded cleanly are cached by content "
                                             "apart from this: set POISE_CACHE_DIR empty to turn that off.)")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Use this config file instead of "
                                                   "./poise.yaml or [tool.poise] in ./pyproject.toml.")]


def _config(config_path: Optional[Path], **cli):
    """The effective settings: defaults < config file < command-line flags."""
    from .config import load_config
    if config_path is not None and not config_path.is_file():
        raise UsageError(f"--config {config_path}: no such file")
    return load_config(path=config_path).with_cli(**cli)


def _scorer(cfg, csv_columns: Optional[str] = None, sentiment: str = "lexicon", cache: bool = False):
    from .api import Scorer
    from .formats import LoadOptions
    options = LoadOptions(input_format=cfg.get("input_format"), agent_label=cfg.get("agent"),
                          aliases=cfg.get("aliases"), csv_columns=_parse_columns(csv_columns),
                          max_file_size=_parse_size(cfg.get("max_file_size")))
    scorer = Scorer(rule_dirs=[Path(p) for p in cfg.get("rules")],
                    scorecard_path=Path(cfg.get("scorecard")) if cfg.get("scorecard") else None,
                    only=cfg.get("only"), disable=cfg.get("disable"), default_rules=cfg.get("default_rules"),
                    model=cfg.get("model"), redact=cfg.get("redact"), load_options=options,
                    ignore=cfg.get("ignore"), ignore_origin=cfg.settings["ignore"].origin, sentiment=sentiment,
                    cache_dir=Path(".poise-cache") if cache else None)
    _warn(scorer.warnings)
    # The pipeline, rules and matchers live as long as the process: move them out of the
    # garbage collector's sight, so its passes during scoring look at the calls' objects only
    # (about a tenth of the engine's time otherwise, measured with GC off).
    import gc
    gc.freeze()
    return scorer


def _run(scorer, cfg, paths: list[Path], pairs, ctx, engine: str = "local", scheduler: Optional[str] = None,
         keep: Optional[bool] = None, full: bool = False):
    """Score every file, streaming each result into the reports; returns (sinks, errors).
    ``keep``: spool every result into ``sinks.kept`` (default: only when a report format needs
    them); ``full``: whole results, turn texts included."""
    from .batch import InputError, default_workers
    from .report import progress
    from .report.sinks import Sinks
    sinks = Sinks(pairs, ctx, keep, full)
    errors: list = []
    workers = cfg.get("workers") or default_workers()
    try:
        with progress.files(scorer) as advance:
            if engine == "dask":  # workers rebuild this Scorer from its settings (docs/scale.md)
                from .engines import dask_engine
                items = dask_engine.score_with(scorer, paths, cfg.get("include"), cfg.get("exclude"),
                                               scheduler, cfg.get("workers"), on_file=advance)
            else:
                items = scorer.score_files(paths, cfg.get("include"), cfg.get("exclude"), workers=workers,
                                           on_file=advance)
            for item in items:
                if isinstance(item, InputError):
                    errors.append(item)
                else:
                    sinks.add(item)
                    advance(0, calls=1)
        if not sinks.calls and not errors:
            raise UsageError("no transcript files found in " + ", ".join(map(str, paths)))
    except BaseException:
        sinks.abort()
        raise
    return sinks, errors


class Engine(str, Enum):
    local = "local"
    dask = "dask"


EngineOpt = Annotated[Engine, typer.Option("--engine", help="Score with local worker processes, or on a Dask "
                                           "cluster (needs the dask extra, see docs/scale.md).")]
SchedulerOpt = Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: "
                                                     "the scheduler, e.g. tcp://scheduler:8786 (default: a "
                                                     "local cluster of --workers processes).")]


@app.command()
def score(
    paths: PathsArg, include: IncludeOpt = [], exclude: ExcludeOpt = [], input_format: InputFormatOpt = None,
    agent: AgentOpt = None, csv_columns: CsvColumnsOpt = None, max_file_size: MaxSizeOpt = None,
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False, scorecard: ScorecardOpt = None,
    output_format: FormatOpt = [], output: OutputOpt = [], group_by: GroupByOpt = None,
    csv_findings: CsvFindingsOpt = False, no_redact: NoRedactOpt = False, config: ConfigOpt = None,
    sentiment: SentimentOpt = SentimentSource.lexicon, workers: WorkersOpt = None, no_cache: NoCacheOpt = False,
    engine: EngineOpt = Engine.local, scheduler: SchedulerOpt = None,
) -> None:
    """Score transcripts: files and folders in any supported format."""
    if scheduler and engine != Engine.dask:
        raise UsageError("--scheduler needs --engine dask")
    if engine == Engine.dask:
        from .engines.dask_engine import require_dask
        require_dask()  # before loading the rules, so a missing extra is reported at once
    pairs = _outputs(output_format, output)
    cfg = _config(config, include=include, exclude=exclude, agent=agent, max_file_size=max_file_size,
                  input_format=input_format.value if input_format else None, rules=[str(r) for r in rules],
                  only=only, disable=disable, model=model, scorecard=str(scorecard) if scorecard else None,
                  group_by=group_by, default_rules=False if no_default_rules else None,
                  redact=False if no_redact else None, workers=workers)
    scorer = _scorer(cfg, csv_columns, sentiment.value, cache=not no_cache)
    sinks, errors = _run(scorer, cfg, paths, pairs, _context(scorer, cfg.get("group_by"), csv_findings),
                         engine.value, scheduler)
    sinks.close(errors)
    raise typer.Exit(EXIT_UNREADABLE if errors else EXIT_OK)


@app.command()
def check(
    paths: PathsArg,
    fail_under: Annotated[Optional[float], typer.Option("--fail-under", help="Fail when a call scores below this.")] = None,
    fail_on: Annotated[Optional[str], typer.Option("--fail-on", help="Fail on a deduction of this severity or "
                                                   "worse: info, minor, major, critical.")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="A JSON report (poise score --format "
                                                     "json) to compare against: only new deductions fail.")] = None,
    max_drop: Annotated[Optional[float], typer.Option("--max-drop", help="With --baseline: fail when a call's "
                                                      "score drops more than this many points.")] = None,
    allow_unreadable: Annotated[bool, typer.Option("--allow-unreadable", help="Do not fail (exit 3) on "
                                                   "unreadable inputs.")] = False,
    include: IncludeOpt = [], exclude: ExcludeOpt = [], input_format: InputFormatOpt = None,
    agent: AgentOpt = None, csv_columns: CsvColumnsOpt = None, max_file_size: MaxSizeOpt = None,
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False, scorecard: ScorecardOpt = None,
    output_format: FormatOpt = [], output: OutputOpt = [], no_redact: NoRedactOpt = False, config: ConfigOpt = None,
    sentiment: SentimentOpt = SentimentSource.lexicon, workers: WorkersOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """The CI gate: score calls and call scripts, exit 1 when thresholds or the baseline fail."""
    from .gate import GateOptions, evaluate
    from .rules.model import SEVERITIES
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}")
    if max_drop is not None and baseline is None:
        raise UsageError("--max-drop needs --baseline")
    pairs = _outputs(output_format, output)
    cfg = _config(config, include=include, exclude=exclude, agent=agent, max_file_size=max_file_size,
                  input_format=input_format.value if input_format else None, rules=[str(r) for r in rules],
                  only=only, disable=disable, model=model, scorecard=str(scorecard) if scorecard else None,
                  default_rules=False if no_default_rules else None, redact=False if no_redact else None,
                  fail_under=fail_under, fail_on=fail_on, baseline=str(baseline) if baseline else None,
                  max_drop=max_drop, workers=workers)
    scorer = _scorer(cfg, csv_columns, sentiment.value, cache=not no_cache)
    ctx = _context(scorer, None, False, {})
    sinks, errors = _run(scorer, cfg, paths, pairs, ctx, keep=True)
    gate = evaluate(sinks.kept, errors, GateOptions(
        fail_under=cfg.get("fail_under"), fail_on=cfg.get("fail_on"),
        baseline=Path(cfg.get("baseline")) if cfg.get("baseline") else None,
        max_drop=cfg.get("max_drop"), allow_unreadable=allow_unreadable))
    ctx.gate.update(gate)
    sinks.close(errors)
    from .report import gate_view
    gate_view.render(gate)
    if errors and not allow_unreadable:
        raise typer.Exit(EXIT_UNREADABLE)
    raise typer.Exit(EXIT_OK if gate["passed"] else EXIT_GATE)


def _warn(warnings: list[str]) -> None:
    from .report import console
    for warning in warnings:
        console(stderr=True).print(f"[yellow]warning[/]: {warning}", highlight=False)


def _context(scorer, group_by: Optional[str], csv_findings: bool, gate: Optional[dict] = None):
    from .report import ReportContext
    return ReportContext(rules_hash=scorer.rules_hash, scorecard_name=scorer.scorecard.name,
                         scorecard_hash=scorer.scorecard.hash, poise_version=__version__,
                         group_by=group_by, csv_findings=csv_findings, redacted=scorer.redact,
                         gate=gate if gate is not None else {},
                         section_names=tuple(sec.name for sec in scorer.scorecard.sections))


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="One transcript file.")],
    call_id: Annotated[Optional[str], typer.Option("--call", help="Which call, when the file holds several.")] = None,
    input_format: InputFormatOpt = None, agent: AgentOpt = None,
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False, scorecard: ScorecardOpt = None, no_redact: NoRedactOpt = False,
    config: ConfigOpt = None, sentiment: SentimentOpt = SentimentSource.lexicon,
) -> None:
    """One call for a trainer: the transcript with evidence highlighted, sections, coaching tips."""
    from .report import terminal
    cfg = _config(config, agent=agent, input_format=input_format.value if input_format else None,
                  rules=[str(r) for r in rules], only=only, disable=disable, model=model,
                  scorecard=str(scorecard) if scorecard else None,
                  default_rules=False if no_default_rules else None, redact=False if no_redact else None)
    scorer = _scorer(cfg, sentiment=sentiment.value)
    sinks, errors = _run(scorer, cfg, [path], [], _context(scorer, None, False), keep=True, full=True)
    results = [sinks.kept.full(i) for i in range(len(sinks.kept))]
    sinks.release()
    if errors:
        terminal.render_problems([], errors)
        raise typer.Exit(EXIT_UNREADABLE)
    if call_id:
        results = [r for r in results if r.id == call_id]
        if not results:
            raise UsageError(f"no call {call_id!r} in {path}")
    for result in results:
        terminal.render_call(result, _context(scorer, None, False))


cache_app = typer.Typer(help="The result cache (.poise-cache/) and the rule cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached result (.poise-cache/ here) and every cached rule file (the user's rule
    cache: $POISE_CACHE_DIR/rules, else ~/.cache/poise/rules)."""
    from .cache import clear
    from .report import console
    from .rules.cache import RuleCache
    removed = clear()
    console().print(f"removed {removed} cached result file(s) from .poise-cache/")
    rule_cache = RuleCache.default()
    if rule_cache is not None:
        console().print(f"removed {rule_cache.clear()} cached rule file(s) from {rule_cache.root}")


config_app = typer.Typer(help="Project configuration (poise.yaml or [tool.poise]).", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(config: ConfigOpt = None) -> None:
    """Print every setting's effective value and where it came from."""
    from .config import SETTINGS
    from .report import config_table
    cfg = _config(config)
    config_table.render(cfg, SETTINGS)


class EvalFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("eval")
def eval_command(
    paths: Annotated[list[Path], typer.Argument(help="Labelled JSONL files: native transcripts plus "
                                                "'labels' (see docs/accuracy.md).", show_default=False)],
    output_format: Annotated[EvalFormat, typer.Option("--format", "-f", help="Output format.")] = EvalFormat.table,
    show_errors: Annotated[bool, typer.Option("--show-errors", help="List false positives and false negatives.")] = False,
    category: Annotated[list[str], typer.Option("--category", help="Report only this category (repeatable).")] = [],
    rules: RulesOpt = [], only: OnlyOpt = [], disable: DisableOpt = [], model: ModelOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    fail_under_precision: Annotated[Optional[float], typer.Option(
        "--fail-under-precision", min=0.0, max=1.0,
        help="Exit 1 when a category's precision is below this (0-1).")] = None,
    fail_under_recall: Annotated[Optional[float], typer.Option(
        "--fail-under-recall", min=0.0, max=1.0,
        help="Exit 1 when a category's recall is below this (0-1).")] = None,
    workers: WorkersOpt = None,
) -> None:
    """Measure detection against human labels: precision, recall, F1 per behaviour."""
    from . import evaluate
    from .report import evaluation as report

    detector = _detector(_ruleset(rules, only, disable, no_default_rules), model)
    from .batch import default_workers
    result = evaluate.evaluate_files(paths, detector, categories=category, keep_errors=show_errors,
                                     workers=workers or default_workers())
    failures = evaluate.gate(result, fail_under_precision, fail_under_recall)
    report.render(result, output_format.value, show_errors=show_errors, failures=failures)
    raise typer.Exit(EXIT_GATE if failures else EXIT_OK)


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
    model: ModelOpt = None, no_default_rules: NoDefaultsOpt = False,
) -> None:
    """Run every rule's match / no_match examples. Exit 1 when any fails.

    Your rules are tested alongside the shipped packs (rules that build on other behaviours, such
    as after: customer-frustration, need them); --no-default-rules tests them alone.
    """
    from .report import rules as report
    from .rules import default_rules_dir, load_rules
    from .ruletest import run_examples
    targets = folders or [default_rules_dir()]
    mine = load_rules(targets)
    context = [] if no_default_rules or not folders else [default_rules_dir()]
    rule_list = load_rules(context + list(targets)) if context else mine
    detector = _detector(rule_list, model)
    ids = {r.id for r in mine}
    results = list(run_examples(detector, [r for r in detector.rules if r.id in ids]))
    report.example_results(results)
    if coverage:
        from .batch import discover, load_files, LoadedFile
        from .formats import LoadOptions
        files, _ = discover(coverage)
        calls = [t for f in load_files(files, LoadOptions()) if isinstance(f, LoadedFile) for t in f.transcripts]
        fired = {f.rule for a in detector.analyze_many(calls) for f in a.findings if f.kind != "missing"}
        report.coverage([r for r in mine if r.id not in fired], len(mine), len(calls))
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


@app.command("init")
def init_command(
    directory: Annotated[Path, typer.Argument(help="The repository folder to set up.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite starter files that already exist.")] = False,
) -> None:
    """Write a starter poise.yaml, an example team rule and a GitHub Actions workflow."""
    from rich.text import Text
    from .init import InitConflict, write_starter
    from .report import console
    try:
        written = write_starter(directory, force=force)
    except InitConflict as exc:
        console(stderr=True).print(Text.assemble(("error", "red"), f": {exc}"))
        raise typer.Exit(EXIT_USAGE)
    for path in written:
        console().print(Text(f"wrote {path}"))
    console().print(Text("Next: put transcripts in calls/ and call scripts in scripts/, then run "
                         "`poise rules test poise-rules/` and `poise check calls/ scripts/`."))


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
    except OSError as exc:  # the disk filled up, a folder went away... while writing
        if _state["debug"]:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(f"cannot write{where}: {exc.strerror or exc}", EXIT_USAGE)
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
    from rich.markup import escape
    console(stderr=True).print(f"[red]error[/]: {escape(message)}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(code)
