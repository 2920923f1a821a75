"""poise throughput benchmark: one command, every figure measured in the same process on the same
generated text, as words/second and as ratios to bare spaCy tokenization.

    python bench/run.py                 # 1000 calls, best of 3 (also: make bench)
    python bench/run.py --calls 2000    # a bigger run
    python bench/run.py --quick         # 150 calls, best of 2: a smoke run
    python bench/run.py --json > r.json # machine-readable results on stdout
    python bench/run.py --results r.json --markdown   # re-render saved results (no measuring)
    python bench/run.py --profile       # also cProfile the engine with the ~300 phrase rules
    python bench/run.py --profile e2e --profile-only --calls 300   # only a profile of poise score
    python bench/run.py --scale         # 1 vs 2 workers, peak RSS for 1k and 20k calls (child processes)
    python bench/run.py --startup       # poise --help and a one-call poise score vs spacy.blank

Rows (see docs/performance.md):

  tokenize        bare ``spacy.blank("en")`` ``nlp.pipe`` over the turn texts (the baseline)
  regex.default   one compiled ``re`` alternation of the default packs' phrases, ``finditer``
                  over each turn (case-insensitive, word-bounded) - a naive matcher
  regex.300       the same with the ~300 synthetic phrase rules' phrases
  engine.default  ``Detector(rules).analyze_many(transcripts)`` with the default packs, over
                  already-loaded transcripts (includes the engine's own ``nlp.pipe``)
  engine.300      the same with ~300 synthetic phrase rules (bench/phrase_rules.py): the
                  rules-engine issue's target is >= 0.5x tokenize
  engine.300.core the same without the per-call conversation figures (dynamics, sentiment)
  load            only reading the calls from disk (``poise.formats.load_file`` per file)
  e2e.files       ``poise score DIR --format jsonl -o FILE`` in-process, one worker, a folder
                  of one .json file per call, default packs (rule loading and compiling included)
  e2e.jsonl       the same over one .jsonl file holding every call
  e2e.300         e2e.files with the ~300 phrase rules instead of the default packs

Every row is timed ``--repeats`` times, interleaved (row 1, row 2, ..., then again), after a
warm-up pass over a few calls; the table shows the best (and the median) words/second.

Adding rows: a measurement is a ``Row`` (key, label, a function timed over a ``Workload``).
Later figures (peak RSS of larger runs, multi-worker e2e) plug in as more rows - e.g. a Row
whose function runs ``poise score --workers N`` in a subprocess and records
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` into ``Row.extra``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import inspect
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/ is not a package)
import phrase_rules  # noqa: E402

ALWAYS = ("tokenize",)  # the baseline every ratio refers to (× regex needs --only regex too)
TARGET_ENGINE_300 = 0.5  # the rules-engine issue: engine with ~300 phrase rules >= 0.5x tokenize


# -- the workload -------------------------------------------------------------------------------

@dataclass
class Workload:
    """The same generated calls in every shape the rows need."""

    calls: list[dict[str, Any]]
    folder: Path          # one .json file per call
    jsonl: Path           # every call in one .jsonl file
    transcripts: list     # poise Transcripts, loaded from ``jsonl``
    texts: list[str]      # every turn's text, in order
    words: int            # whitespace-separated words in ``texts``
    out: Path             # where e2e rows write their JSONL

    @property
    def turns(self) -> int:
        return len(self.texts)

    @classmethod
    def build(cls, calls: list[dict[str, Any]], workdir: Path, name: str) -> "Workload":
        from poise.formats import load_file

        folder = generate.write_calls(calls, workdir / f"{name}-files", "dir")
        jsonl = generate.write_calls(calls, workdir / f"{name}.jsonl", "jsonl")
        transcripts = load_file(jsonl)
        texts = [t["text"] for c in calls for t in c["turns"]]
        return cls(calls, folder, jsonl, transcripts, texts, generate.word_count(calls),
                   workdir / f"{name}-out.jsonl")


# -- rows ---------------------------------------------------------------------------------------

@dataclass
class Row:
    key: str
    label: str
    run: Callable[[Workload], Any]
    group: str = "baseline"           # baseline | engine | e2e
    rules: str = ""                   # which rule set, for the table
    seconds: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None        # why the row could not run (e.g. no default phrases)

    def rates(self, words: int) -> list[float]:
        return [words / s for s in self.seconds if s > 0]

    def best(self, words: int) -> float | None:
        rates = self.rates(words)
        return max(rates) if rates else None

    def median(self, words: int) -> float | None:
        rates = self.rates(words)
        return statistics.median(rates) if rates else None


def phrases_of(rules: Sequence[Any]) -> list[str]:
    """Every phrase the rules hand to the PhraseMatcher (main, unless and proximity parts)."""
    out = []
    for r in rules:
        parts = [*r.patterns, *r.unless, *(r.proximity.patterns if r.proximity else ())]
        out.extend(p.value for p in parts if p.kind == "phrase")
    return sorted(set(out))


def phrase_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    """One alternation, longest first, not inside a word, case-insensitive, any whitespace."""
    alternatives = [re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _tokenize_row(nlp) -> Callable[[Workload], int]:
    def run(work: Workload) -> int:
        n = 0
        for doc in nlp.pipe(work.texts, batch_size=256):
            n += len(doc)
        return n
    return run


def _regex_row(pattern: re.Pattern[str]) -> Callable[[Workload], int]:
    def run(work: Workload) -> int:
        n = 0
        finditer = pattern.finditer
        for text in work.texts:
            for _ in finditer(text):
                n += 1
        return n
    return run


def _engine_row(detector, row_extra: dict[str, Any]) -> Callable[[Workload], int]:
    def run(work: Workload) -> int:
        findings = calls = 0
        for analysis in detector.analyze_many(work.transcripts):
            findings += len(analysis.findings)
            calls += 1
        row_extra["findings_per_call"] = round(findings / max(calls, 1), 1)
        return findings
    return run


def _load_row() -> Callable[[Workload], int]:
    from poise.formats import load_file

    def run(work: Workload) -> int:
        return sum(len(load_file(p)) for p in sorted(work.folder.iterdir()))
    return run


def run_cli(args: Sequence[str], cwd: Path | None = None) -> tuple[int, str]:
    """``poise ARGS`` in-process through the real entry point; returns (exit code, its stderr).

    ``cwd``: run from this folder (so that no ./poise.yaml or ./pyproject.toml of the caller's
    folder applies, and nothing is written there).
    """
    import io

    from poise import cli
    from poise.report import console

    saved = sys.argv, sys.stderr, os.getcwd()
    console.cache_clear()
    sys.argv = ["poise", *map(str, args)]
    sys.stderr = err = io.StringIO()
    try:
        if cwd is not None:
            os.chdir(cwd)
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.argv, sys.stderr = saved[:2]
        os.chdir(saved[2])
        console.cache_clear()
    return code, err.getvalue()


def score_options(workers: int = 1) -> list[str]:
    """Options every e2e run gets, when this poise has them: ``--workers N`` (one worker here:
    the process is what is measured) and ``--no-cache`` (a result cache would turn the second
    round into cache reads)."""
    from poise import cli

    params = inspect.signature(cli.score).parameters
    out = ["--workers", str(workers)] if "workers" in params else []
    if workers != 1 and not out:
        raise RuntimeError("this poise has no --workers option")
    return out + (["--no-cache"] if "no_cache" in params else [])


def _e2e_row(rule_args: Sequence[str], source: str, workers: int = 1) -> Callable[[Workload], int]:
    # Multi-worker rows (to come) need a clock that counts the workers' CPU too (wall time, or
    # RUSAGE_CHILDREN); the default CPU clock counts this process only.
    assert workers == 1, "multi-worker e2e is not measured yet"
    options = score_options(workers)

    def run(work: Workload) -> int:
        path = work.folder if source == "files" else work.jsonl
        code, err = run_cli(["score", str(path), "--format", "jsonl", "-o", str(work.out), *options, *rule_args],
                            cwd=work.out.parent)
        if code != 0:
            raise RuntimeError(f"poise score exited {code} on {path}: {' '.join(err.split())[:300]}")
        return code
    return run


@dataclass
class Setup:
    """Things built once, before timing (their build times are reported too)."""

    default_rules: list
    synthetic_rules: list
    default_dir: Path | None
    synthetic_dir: Path
    seconds: dict[str, float]
    default_label: str = ""


def prepare(workdir: Path, default_rules_dir: Path | None, n_synthetic: int,
            packs: Path | None = generate.DEFAULT_PACKS) -> Setup:
    from poise.rules import load_ruleset

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    if default_rules_dir is None:
        default_rules = load_ruleset()
    else:
        default_rules = load_ruleset([default_rules_dir], defaults=False)
    seconds["load default rules"] = time.perf_counter() - t
    synthetic_dir = phrase_rules.write_phrase_rules(workdir / "phrase-rules", n_synthetic, packs=packs)
    t = time.perf_counter()
    synthetic_rules = load_ruleset([synthetic_dir], defaults=False)
    seconds[f"load {len(synthetic_rules)} synthetic rules"] = time.perf_counter() - t
    return Setup(default_rules, synthetic_rules, default_rules_dir, synthetic_dir, seconds)


def rules_name(setup: Setup) -> str:
    where = setup.default_label or (
        "default packs" if setup.default_dir is None else f"{setup.default_dir.name}/")
    return f"{where} ({len(setup.default_rules)} rules)"


def build_rows(setup: Setup) -> list[Row]:
    import spacy
    from poise.detect import Detector

    rows: list[Row] = []
    default_name = rules_name(setup)
    synthetic_name = f"{len(setup.synthetic_rules)} phrase rules"
    rule_sets = (("default", setup.default_rules, default_name),
                 ("300", setup.synthetic_rules, synthetic_name))
    rows.append(Row("tokenize", 'bare spacy.blank("en") nlp.pipe', _tokenize_row(spacy.blank("en"))))

    for key, rules, name in rule_sets:
        phrases = phrases_of(rules)
        row = Row(f"regex.{key}", f"re alternation of {len(phrases)} phrases",
                  _regex_row(phrase_regex(phrases)), rules=name)
        if not phrases:
            row.skipped = "no phrases in the rule set"
        rows.append(row)

    for key, rules, name in rule_sets:
        t = time.perf_counter()
        detector = Detector(rules)
        setup.seconds[f"compile {name}"] = time.perf_counter() - t
        row = Row(f"engine.{key}", "Detector.analyze_many (loaded calls)", group="engine", rules=name,
                  run=lambda w: None)
        row.run = _engine_row(detector, row.extra)
        if not rules:
            row.skipped = "no rules"
        rows.append(row)
    # The matching core alone: the same rules without the per-call conversation figures
    # (dynamics, sentiment) that Detector computes by default.
    core = Row("engine.300.core", "the same, conversation_metrics=False", group="engine", rules=synthetic_name,
               run=lambda w: None)
    if "conversation_metrics" in inspect.signature(Detector).parameters:
        core.run = _engine_row(Detector(setup.synthetic_rules, conversation_metrics=False), core.extra)
    else:
        core.skipped = "Detector has no conversation_metrics option"
    rows.append(core)

    rows.append(Row("load", "load_file per file (folder)", _load_row(), group="e2e"))
    rule_args = e2e_rule_args(setup.default_dir)
    rows.append(Row("e2e.files", "poise score DIR -f jsonl -j1 --no-cache", _e2e_row(rule_args, "files"),
                    group="e2e", rules=default_name))
    rows.append(Row("e2e.jsonl", "poise score FILE.jsonl -f jsonl -j1 --no-cache", _e2e_row(rule_args, "jsonl"),
                    group="e2e", rules=default_name))
    rows.append(Row("e2e.300", "poise score DIR -f jsonl -j1 --no-cache",
                    _e2e_row(["--no-default-rules", "--rules", str(setup.synthetic_dir)], "files"),
                    group="e2e", rules=synthetic_name))
    return rows


def e2e_rule_args(default_dir: Path | None) -> list[str]:
    return [] if default_dir is None else ["--no-default-rules", "--rules", str(default_dir)]


# -- measuring ----------------------------------------------------------------------------------

CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


def _time(fn: Callable[[Workload], Any], work: Workload, clock: Callable[[], float] = time.process_time) -> float:
    gc.collect()
    t = clock()
    fn(work)
    return clock() - t


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(),
                            "cpus": os.cpu_count(), "load_average": list(os.getloadavg())}
    try:
        import spacy
        info["spacy"] = spacy.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                        capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


@contextlib.contextmanager
def private_rule_cache(tmpdir: Path):
    """The rule cache (poise/rules/cache.py) of this run, in its temp folder: the bench's rule
    snapshots live under temp paths, whose entries would only clutter the user's cache. (The
    first e2e run fills it; later runs read it, as a user's second run does.)"""
    before = os.environ.get("POISE_CACHE_DIR")
    os.environ["POISE_CACHE_DIR"] = str(tmpdir / "poise-cache")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("POISE_CACHE_DIR", None)
        else:
            os.environ["POISE_CACHE_DIR"] = before


def measure(calls: int = 1000, repeats: int = 3, seed: int = 7, *, default_rules: Path | None = None,
            synthetic_rules: int = 300, workdir: Path | None = None, packs: Path | None = generate.DEFAULT_PACKS,
            only: Sequence[str] = (), clock: str = "cpu", warmup: bool = True,
            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every row and return the results (see ``--json`` for their shape).

    ``default_rules``: a rule folder to use instead of the shipped packs (tests use a tiny one).
    ``packs``: where the generator draws phrases from (None: built-in sentences only).
    ``only``: keep the rows whose key starts with one of these (tokenize always runs).
    ``warmup``: run every row once over a few calls first (tests skip it).
    ``clock``: "cpu" (process CPU time: other processes on a busy machine barely move it) or
    "wall" (elapsed time).
    """
    say = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="poise-bench-", dir=workdir) as tmp, \
            private_rule_cache(Path(tmp)):
        tmpdir = Path(tmp)
        label = ""
        if default_rules is None:
            # A snapshot of the shipped packs, so that every row and round (and each e2e run,
            # which loads the rules itself) sees the same rules even if rules/ is being edited.
            default_rules, label = snapshot_default_packs(tmpdir / "default-packs"), "default packs"
            if packs == generate.DEFAULT_PACKS:
                packs = default_rules
        say(f"generating {calls} calls (seed {seed})")
        all_calls = generate.generate(calls, seed, packs)
        work = Workload.build(all_calls, tmpdir, "calls")
        warm = Workload.build(all_calls[: max(1, min(20, calls // 10))], tmpdir, "warmup")
        say(f"{work.turns} turns, {work.words} words; compiling rules")
        setup = prepare(tmpdir, default_rules, synthetic_rules, packs)
        setup.default_label = label
        rows = build_rows(setup)
        if only:
            rows = [r for r in rows if r.key in ALWAYS or any(r.key.startswith(o) for o in only)]
        for row in rows if warmup else ():
            if not row.skipped:
                _attempt(row, lambda: row.run(warm))
        for rep in range(repeats):
            for row in rows:
                if not row.skipped:
                    say(f"round {rep + 1}/{repeats}: {row.key}")
                    _attempt(row, lambda: row.seconds.append(_time(row.run, work, CLOCKS[clock])))
        res = results(rows, work, setup, repeats, seed)
        res["clock"] = clock
        return res


def snapshot_default_packs(folder: Path) -> Path:
    """Copy the shipped rule files (not the scorecard) to ``folder``."""
    import shutil

    from poise.rules import default_rules_dir
    from poise.rules.loader import rule_files

    source = default_rules_dir()
    for path in rule_files(source):
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _attempt(row: Row, action: Callable[[], Any]) -> None:
    """Run a row's pass; a failure (say, the CLI exits non-zero) marks the row, not the run."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - reported in the table and the JSON
        row.skipped = f"error: {type(exc).__name__}: {exc}"
        row.seconds.clear()


def results(rows: Sequence[Row], work: Workload, setup: Setup, repeats: int, seed: int) -> dict[str, Any]:
    words = work.words
    by_key = {r.key: r for r in rows}
    base = by_key["tokenize"].best(words)
    regex = by_key["regex.default"].best(words) if "regex.default" in by_key else None
    out_rows = []
    for r in rows:
        best = r.best(words)
        out_rows.append({
            "key": r.key, "label": r.label, "group": r.group, "rules": r.rules,
            "words_per_s": round(best) if best else None,
            "median_words_per_s": round(r.median(words) or 0) or None,
            "seconds": [round(s, 4) for s in r.seconds],
            "vs_tokenize": round(best / base, 3) if best and base else None,
            "vs_regex": round(best / regex, 3) if best and regex else None,
            "skipped": r.skipped, **r.extra,
        })
    engine_300 = next((x for x in out_rows if x["key"] == "engine.300"), {"vs_tokenize": None})
    return {
        "machine": machine(),
        "calls": len(work.calls), "turns": work.turns, "words": words, "seed": seed, "repeats": repeats,
        "rows": out_rows,
        "setup_seconds": {k: round(v, 3) for k, v in setup.seconds.items()},
        "targets": {"engine.300 vs tokenize": {"target": TARGET_ENGINE_300,
                                               "measured": engine_300["vs_tokenize"],
                                               "met": bool(engine_300["vs_tokenize"] and
                                                           engine_300["vs_tokenize"] >= TARGET_ENGINE_300)}},
    }


# -- scale: workers and memory, in subprocesses ------------------------------------------------------

#: Runs ``poise`` in the child and, as it exits, writes the child's own peak RSS (``VmHWM`` of
#: /proc/self/status, in kB) to the file named by argv[1]. Not ``ru_maxrss``: Linux carries the
#: parent's peak over an exec (the bench process, holding thousands of generated calls, is far
#: bigger than poise), so a child's ``ru_maxrss`` can only ever be at least the parent's size.
_CHILD = """
import sys
out = sys.argv.pop(1)
def peak():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    from poise.cli import main
    main()
finally:
    with open(out, "w") as fh:
        fh.write(str(peak()))
"""


def run_subprocess(args: Sequence[str], cwd: Path) -> tuple[float, int]:
    """``poise ARGS`` in a child process: (wall seconds, the child's own peak RSS in KiB).

    With ``--workers N`` the peak is the parent's; each forked worker has its own."""
    fd, peak_file = tempfile.mkstemp(prefix="poise-bench-rss-", suffix=".txt")
    os.close(fd)
    try:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, peak_file, *map(str, args)], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - t
        if proc.returncode != 0:
            raise RuntimeError(f"poise {' '.join(map(str, args[:2]))} exited {proc.returncode}: "
                               f"{' '.join(proc.stderr.decode(errors='replace').split())[:300]}")
        return seconds, int(Path(peak_file).read_text() or 0)
    finally:
        os.unlink(peak_file)


def _busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def cpu_ceiling(repeats: int = 3, n: int = 10_000_000) -> float:
    """This machine's own speed-up for two processes on pure Python work (no I/O, no shared
    data): the same loop twice in one process vs once in each of two forked processes; best of
    ``repeats``. Two vCPUs that are hyperthreads of one core, or a busy host, give less than 2."""
    import multiprocessing
    best_one = best_two = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        _busy(n)
        _busy(n)
        best_one = min(best_one, time.perf_counter() - t)
        t = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(_busy, [n, n])
        best_two = min(best_two, time.perf_counter() - t)
    return round(best_one / best_two, 2)


def measure_scale(calls: int = 1000, rss_calls: Sequence[int] = (1000, 20000), repeats: int = 3, seed: int = 7,
                  *, default_rules: Path | None = None, packs: Path | None = generate.DEFAULT_PACKS,
                  workdir: Path | None = None, progress: Callable[[str], None] | None = None,
                  ceiling_loop: int = 10_000_000, rss_formats: Sequence[str] = ("jsonl",)) -> dict[str, Any]:
    """The issue's scale figures, each ``poise score DIR -f jsonl --no-cache`` in a child process
    (start-up included), wall clock:

    - ``workers``: the same folder of ``calls`` calls with ``--workers 1`` and ``--workers 2``,
      interleaved, best of ``repeats``; the speed-up is the ratio of the best times;
    - ``rss``: peak RSS of one run with ``--workers 1`` over a folder of N calls, for each N in
      ``rss_calls`` (the first is the reference), writing the first of ``rss_formats``
      (``-o r.jsonl``); ``rss_by_format``: the same for each of ``rss_formats`` (html, md, xml for
      JUnit, sarif, csv, json) with its ratio.
    """
    say = progress or (lambda message: None)
    out: dict[str, Any] = {"machine": machine(), "seed": seed, "calls": calls, "repeats": repeats}
    with tempfile.TemporaryDirectory(prefix="poise-bench-scale-", dir=workdir) as tmp, \
            private_rule_cache(Path(tmp)):
        tmpdir = Path(tmp)
        if default_rules is None:
            default_rules = snapshot_default_packs(tmpdir / "default-packs")
            if packs == generate.DEFAULT_PACKS:
                packs = default_rules
        rule_args = e2e_rule_args(default_rules)
        biggest = max([calls, *rss_calls])
        say(f"generating {biggest} calls (seed {seed})")
        all_calls = generate.generate(biggest, seed, packs)

        def folder(n: int) -> Path:
            return generate.write_calls(all_calls[:n], tmpdir / f"calls-{n}", "dir")

        work = folder(calls)
        words = generate.word_count(all_calls[:calls])
        times: dict[int, list[float]] = {1: [], 2: []}
        for rep in range(repeats):
            for workers in (1, 2):
                say(f"round {rep + 1}/{repeats}: --workers {workers}, {calls} calls")
                seconds, _ = run_subprocess(["score", work, "-f", "jsonl", "-o", tmpdir / "w.jsonl", "--workers",
                                             workers, "--no-cache", *rule_args], tmpdir)
                times[workers].append(seconds)
        say("start-up: one call, --workers 1")
        startup = min(run_subprocess(["score", folder(1), "-f", "jsonl", "-o", tmpdir / "s.jsonl", "--workers", 1,
                                      "--no-cache", *rule_args], tmpdir)[0] for _ in range(repeats))
        say("this machine's two-process ceiling (a pure-Python loop)")
        out["workers"] = {
            "startup_seconds": round(startup, 2),
            # the scoring itself, start-up (loading and compiling the rules) taken out of both
            "speedup_after_startup": round((min(times[1]) - startup) / max(1e-9, min(times[2]) - startup), 2),
            "cpu_ceiling": cpu_ceiling(repeats, ceiling_loop),
            "words": words,
            "seconds": {str(k): [round(x, 2) for x in v] for k, v in times.items()},
            "words_per_s": {str(k): round(words / min(v)) for k, v in times.items()},
            "speedup": round(min(times[1]) / min(times[2]), 2),
        }
        by_format: dict[str, dict[str, Any]] = {}
        for fmt in rss_formats:
            rss = []
            for n in rss_calls:
                path = work if n == calls else folder(n)
                say(f"peak RSS: {n} calls, --workers 1, -o r.{fmt}")
                seconds, kib = run_subprocess(["score", path, "-o", tmpdir / f"r.{fmt}", "--workers", 1,
                                               "--no-cache", *rule_args], tmpdir)
                rss.append({"calls": n, "peak_rss_mib": round(kib / 1024, 1), "seconds": round(seconds, 1)})
            by_format[fmt] = {"rss": rss}
            if len(rss) > 1:
                by_format[fmt]["rss_ratio"] = round(rss[-1]["peak_rss_mib"] / rss[0]["peak_rss_mib"], 3)
        first = by_format[rss_formats[0]]
        out["rss"] = first["rss"]
        if "rss_ratio" in first:
            out["rss_ratio"] = first["rss_ratio"]
        out["rss_by_format"] = by_format
    return out


def render_scale(res: dict[str, Any]) -> str:
    w = res["workers"]
    lines = [f"workers ({res['calls']} calls, {w['words']:,} words, wall time incl. start-up, best of "
             f"{res['repeats']}): --workers 1 {w['words_per_s']['1']:,} words/s, --workers 2 "
             f"{w['words_per_s']['2']:,} words/s: speed-up {w['speedup']:.2f}× (target ≥ 1.8×); "
             f"the machine's own two-process speed-up on a pure-Python loop: {w['cpu_ceiling']:.2f}×; "
             f"after the {w['startup_seconds']:.1f} s start-up: {w['speedup_after_startup']:.2f}×"]
    by_format = res.get("rss_by_format") or {"jsonl": {"rss": res.get("rss", []), "rss_ratio": res.get("rss_ratio")}}
    for fmt, entry in by_format.items():
        for r in entry["rss"]:
            lines.append(f"peak RSS, {r['calls']:,} calls, --workers 1, -o r.{fmt}: {r['peak_rss_mib']:.1f} MiB "
                         f"({r['seconds']} s)")
        if entry.get("rss_ratio") is not None:
            lines.append(f"peak RSS ratio {entry['rss'][-1]['calls']:,} / {entry['rss'][0]['calls']:,} calls, "
                         f"{fmt}: {entry['rss_ratio']:.3f}× (target ≤ 1.2×)")
    return "\n".join(lines)


def run_timed(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``argv`` to the end: (wall seconds, the child's CPU seconds: user + system)."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(list(map(str, argv)), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:4]))} exited {proc.returncode}: "
                           f"{' '.join(proc.stderr.decode(errors='replace').split())[:300]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


#: The start-up figures: what a user waits for before the first result, each in a fresh process.
#: ``score.cold``: the rule cache empty (a first run); ``score.warm``: the rule files cached by an
#: earlier run (poise/rules/cache.py). Both with --no-cache, so the call is scored every time.
STARTUP_ROWS = ("python", "spacy.blank", "help", "score.warm", "score.cold")


def measure_startup(repeats: int = 5, seed: int = 7, *, workdir: Path | None = None,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """``poise --help`` and a one-call ``poise score`` against ``python -c "import spacy;
    spacy.blank('en')"``, child processes, interleaved ``repeats`` times; best and median of wall
    and CPU time. The default packs as installed (what a user runs)."""
    say = progress or (lambda message: None)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="poise-bench-startup-", dir=workdir) as tmp:
        tmpdir = Path(tmp)
        call = generate.write_calls(generate.generate(1, seed, generate.DEFAULT_PACKS), tmpdir / "one", "dir")
        [one] = sorted(call.glob("*.json"))
        words = generate.word_count([json.loads(one.read_text(encoding="utf-8"))])
        warm_env = {**os.environ, "POISE_CACHE_DIR": str(tmpdir / "warm-cache")}
        score = [python, "-m", "poise", "score", one, "--no-cache", "-f", "jsonl", "-o", tmpdir / "out.jsonl"]
        commands: dict[str, tuple[list[Any], Callable[[int], dict[str, str] | None]]] = {
            "python": ([python, "-c", "pass"], lambda _: None),
            "spacy.blank": ([python, "-c", "import spacy; spacy.blank('en')"], lambda _: None),
            "help": ([python, "-m", "poise", "--help"], lambda _: None),
            "score.warm": (score, lambda _: warm_env),
            "score.cold": (score, lambda n: {**os.environ, "POISE_CACHE_DIR": str(tmpdir / f"cold-{n}")}),
        }
        run_timed(score, tmpdir, warm_env)  # fills the warm rule cache (and warms the OS file cache)
        times: dict[str, list[tuple[float, float]]] = {key: [] for key in STARTUP_ROWS}
        for rep in range(repeats):
            say(f"start-up round {rep + 1}/{repeats}")
            for key in STARTUP_ROWS:
                argv, env = commands[key]
                times[key].append(run_timed(argv, tmpdir, env(rep)))
    rows: dict[str, Any] = {}
    for key, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        rows[key] = {"wall_best": round(min(walls), 3), "wall_median": round(statistics.median(walls), 3),
                     "cpu_best": round(min(cpus), 3), "cpu_median": round(statistics.median(cpus), 3)}
    base = rows["spacy.blank"]
    for key in ("score.warm", "score.cold"):
        rows[key]["x_blank_wall"] = round(rows[key]["wall_best"] / base["wall_best"], 2)
        rows[key]["x_blank_cpu"] = round(rows[key]["cpu_best"] / base["cpu_best"], 2)
    return {"machine": machine(), "repeats": repeats, "words": words, "rows": rows}


def render_startup(res: dict[str, Any]) -> str:
    labels = {"python": 'python -c "pass"', "spacy.blank": "import spacy; spacy.blank('en')  (the baseline)",
              "help": "poise --help", "score.warm": "poise score ONE_CALL  (rule files cached)",
              "score.cold": "poise score ONE_CALL  (rule cache empty: a first run)"}
    lines = [f"start-up, child processes, best (median) of {res['repeats']}, one generated call of "
             f"{res['words']} words; targets: --help < 0.3 s, one-call score ≤ 1.5× the baseline"]
    for key in STARTUP_ROWS:
        r = res["rows"][key]
        ratio = (f"   {r['x_blank_wall']:.2f}× wall, {r['x_blank_cpu']:.2f}× cpu" if "x_blank_wall" in r else "")
        lines.append(f"  {labels[key]:<56} wall {r['wall_best']:.2f} s ({r['wall_median']:.2f})   "
                     f"cpu {r['cpu_best']:.2f} s ({r['cpu_median']:.2f}){ratio}")
    return "\n".join(lines)


# -- output ---------------------------------------------------------------------------------------

def _ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "—"


def render(res: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    m = res["machine"]
    table = Table(title=f"poise throughput: {res['calls']} calls, {res['turns']} turns, {res['words']:,} words "
                        f"(best of {res['repeats']}, {res.get('clock', 'cpu')} time)", title_justify="left")
    for name, justify in (("row", "left"), ("what", "left"), ("rules", "left"), ("words/s", "right"),
                          ("median", "right"), ("× tokenize", "right"), ("× regex", "right"), ("note", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    group = None
    for r in res["rows"]:
        if group is not None and r["group"] != group:
            table.add_section()
        group = r["group"]
        note = r["skipped"] or (f"{r['findings_per_call']} findings/call" if "findings_per_call" in r else "")
        table.add_row(r["key"], r["label"], r["rules"],
                      f"{r['words_per_s']:,}" if r["words_per_s"] else "—",
                      f"{r['median_words_per_s']:,}" if r["median_words_per_s"] else "—",
                      _ratio(r["vs_tokenize"]), _ratio(r["vs_regex"]), note)
    console.print(table)
    t = res["targets"]["engine.300 vs tokenize"]
    mark = "[green]met[/]" if t["met"] else "[red]not met[/]"
    console.print(f"target: engine.300 ≥ {t['target']}× tokenize — measured {_ratio(t['measured'])}: {mark}")
    console.print("setup (not in the rates): " + ", ".join(f"{k} {v:.2f}s" for k, v in res["setup_seconds"].items()))
    console.print(f"machine: {m.get('cpu', '?')}, {m.get('cpus')} CPUs, Python {m['python']}, "
                  f"spaCy {m.get('spacy', '?')}, commit {m.get('commit', '?')}, load average at the end "
                  f"{' '.join(f'{x:.1f}' for x in m.get('load_average', []))}", highlight=False)


def render_markdown(res: dict[str, Any]) -> str:
    """The results table as Markdown (for docs/performance.md)."""
    lines = [f"{res['calls']} calls, {res['turns']:,} turns, {res['words']:,} words; best of {res['repeats']} "
             f"({res.get('clock', 'cpu')} time), seed {res['seed']}.", "",
             "| row | what | rules | words/s | median | × tokenize | × regex | note |",
             "|---|---|---|--:|--:|--:|--:|---|"]
    for r in res["rows"]:
        note = r["skipped"] or (f"{r['findings_per_call']} findings/call" if "findings_per_call" in r else "")
        lines.append(f"| `{r['key']}` | {r['label']} | {r['rules']} | "
                     f"{format(r['words_per_s'], ',') if r['words_per_s'] else '—'} | "
                     f"{format(r['median_words_per_s'], ',') if r['median_words_per_s'] else '—'} | "
                     f"{_ratio(r['vs_tokenize'])} | {_ratio(r['vs_regex'])} | {note} |")
    return "\n".join(lines) + "\n"


PROFILE_TARGETS = ("engine.300", "engine.default", "e2e")


def profile(target: str = "engine.300", calls: int = 300, seed: int = 7, *, default_rules: Path | None = None,
            n_rules: int = 300, limit: int = 25, packs: Path | None = generate.DEFAULT_PACKS) -> str:
    """cProfile one pass of ``target`` (engine.300, engine.default or e2e); the top functions by
    own time and by cumulative time, as text."""
    import cProfile
    import io
    import pstats

    from poise.detect import Detector
    from poise.rules import load_ruleset

    if target not in PROFILE_TARGETS:
        raise ValueError(f"profile target {target!r} is not one of {', '.join(PROFILE_TARGETS)}")
    with tempfile.TemporaryDirectory(prefix="poise-bench-") as tmp:
        tmpdir = Path(tmp)
        all_calls = generate.generate(calls, seed, packs)
        work = Workload.build(all_calls, tmpdir, "calls")
        warm = Workload.build(all_calls[:20], tmpdir, "warmup")
        if target == "e2e":
            args = ["score", str(work.folder), "--format", "jsonl", "-o", str(work.out),
                    *score_options(1), *e2e_rule_args(default_rules)]
            what = "poise score DIR -f jsonl"

            def once(w: Workload) -> None:
                code, err = run_cli([*args[:1], str(w.folder), *args[2:]], cwd=tmpdir)
                if code:
                    raise RuntimeError(f"poise score exited {code}: {err}")
        else:
            if target == "engine.300":
                folder = phrase_rules.write_phrase_rules(tmpdir / "rules", n_rules, packs=packs)
                rules = load_ruleset([folder], defaults=False)
                what = f"engine, {len(rules)} phrase rules"
            else:
                rules = load_ruleset([default_rules], defaults=False) if default_rules else load_ruleset()
                what = f"engine, default packs ({len(rules)} rules)"
            detector = Detector(rules)

            def once(w: Workload) -> None:
                for _ in detector.analyze_many(w.transcripts):
                    pass
        once(warm)
        profiler = cProfile.Profile()
        profiler.enable()
        once(work)
        profiler.disable()
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf).strip_dirs()
    buf.write(f"== {what}, {calls} calls ({work.words:,} words): by own time ==\n")
    stats.sort_stats("tottime").print_stats(limit)
    buf.write(f"== {what}: by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(limit)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, help="number of generated calls (default 1000; --quick: 150)")
    parser.add_argument("--repeats", type=int, help="timings per row, interleaved; the best counts (default 3)")
    parser.add_argument("--quick", action="store_true", help="a small, fast run (150 calls, best of 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rules", type=Path, help="a rule folder instead of the shipped default packs")
    parser.add_argument("--synthetic-rules", type=int, default=300, help="phrase rules for engine.300 (default 300)")
    parser.add_argument("--no-packs", action="store_true", help="generate text from built-in sentences only")
    parser.add_argument("--only", action="append", default=[], metavar="KEY",
                        help="run only rows whose key starts with KEY, e.g. --only engine (repeatable; "
                             "tokenize always runs; × regex needs --only regex)")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="cpu",
                        help="cpu: process CPU time (default; steadier on a shared machine), wall: elapsed")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the results as a Markdown table")
    parser.add_argument("--results", type=Path, metavar="FILE",
                        help="do not measure: render results saved earlier with --json")
    parser.add_argument("--profile", nargs="?", const="engine.300", choices=PROFILE_TARGETS, metavar="TARGET",
                        help="after the table, cProfile one pass of TARGET: engine.300 (default), "
                             "engine.default or e2e")
    parser.add_argument("--profile-only", action="store_true", help="skip the table, only profile")
    parser.add_argument("--scale", action="store_true",
                        help="instead of the table: the 1- vs 2-worker speed-up over --calls calls and the peak "
                             "RSS for each of --rss-calls (child processes, wall time)")
    parser.add_argument("--rss-formats", default="jsonl", metavar="FMT,...",
                        help="report formats of the peak-RSS runs of --scale, as -o r.FMT: jsonl, csv, json, "
                             "html, md, xml (JUnit), sarif (default jsonl)")
    parser.add_argument("--rss-calls", default="1000,20000", metavar="N,M",
                        help="call counts for the peak-RSS runs of --scale (default 1000,20000)")
    parser.add_argument("--startup", action="store_true",
                        help="instead of the table: poise --help and a one-call poise score against "
                             "python -c \"import spacy; spacy.blank('en')\" (child processes; --repeats, default 5)")
    args = parser.parse_args(argv)
    calls = args.calls or (150 if args.quick else 1000)
    repeats = args.repeats or (2 if args.quick else 3)

    def say(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr, flush=True)

    from poise.errors import ConfigError
    if args.results:
        res = json.loads(args.results.read_text(encoding="utf-8"))
        print(render_markdown(res)) if args.markdown else render(res)
        return 0
    if args.startup:
        res = measure_startup(args.repeats or 5, args.seed, progress=say)
        print(json.dumps(res, indent=2) if args.json else render_startup(res))
        return 0
    if args.scale:
        rss_calls = [int(x) for x in args.rss_calls.split(",") if x.strip()]
        formats = [f.strip() for f in args.rss_formats.split(",") if f.strip()]
        res = measure_scale(calls, rss_calls, repeats, args.seed, default_rules=args.rules,
                            packs=None if args.no_packs else generate.DEFAULT_PACKS, progress=say,
                            rss_formats=formats)
        print(json.dumps(res, indent=2) if args.json else render_scale(res))
        return 0
    if args.profile_only:
        print(profile(args.profile or "engine.300", calls, args.seed, default_rules=args.rules,
                      n_rules=args.synthetic_rules, packs=None if args.no_packs else generate.DEFAULT_PACKS))
        return 0
    try:
        res = measure(calls, repeats, args.seed, default_rules=args.rules, synthetic_rules=args.synthetic_rules,
                      packs=None if args.no_packs else generate.DEFAULT_PACKS, only=args.only,
                      clock=args.clock, progress=say)
    except ConfigError as exc:
        print(f"bench: the rules do not load (fix them, or pass --rules DIR):\n{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, indent=2))
    elif args.markdown:
        print(render_markdown(res))
    else:
        render(res)
    if args.profile:
        print(profile(args.profile, calls, args.seed, default_rules=args.rules, n_rules=args.synthetic_rules,
                      packs=None if args.no_packs else generate.DEFAULT_PACKS),
              file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
