"""The library API: score transcripts or files and get plain, serialisable CallResults.

    from poise.api import Scorer
    scorer = Scorer()                              # shipped rules and scorecard
    for result in scorer.score_files(["calls/"]):  # CallResult or InputError, in input order
        ...

A Scorer builds its spaCy pipeline and compiles its rules once; reuse it for every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .batch import InputError, LoadedFile, discover, load_files, score_in_order
from .detect import Detector
from .detect.engine import dependency_warnings
from .formats import LoadOptions
from .results import CallResult, build_result
from .rules import default_rules_dir, load_ruleset
from .rules.compile import rules_hash
from .scoring import Scorecard, load_scorecard
from .transcript import Transcript


def default_scorecard_path() -> Path:
    return default_rules_dir() / "scorecard.yaml"


@dataclass
class Scorer:
    rule_dirs: Sequence[Path] = ()
    scorecard_path: Path | None = None
    only: Sequence[str] = ()
    disable: Sequence[str] = ()
    default_rules: bool = True
    model: str | None = None
    redact: bool = True
    load_options: LoadOptions = field(default_factory=LoadOptions)
    ignore: Mapping[str, Sequence[str]] = field(default_factory=dict)  # file glob -> rule ids
    ignore_origin: str = "config"
    sentiment: str = "lexicon"  # or "vendor": the source's own per-turn labels where present
    cache_dir: Path | None = None  # a result cache folder (the CLI uses .poise-cache/)
    #: Build a fresh spaCy pipeline (and recompile the rules) after this many calls, between
    #: files. spaCy's vocabulary keeps every new word it sees (order numbers, names, amounts:
    #: ~8 per call), so a long batch would grow by ~5 KB a call; a rebuild costs ~0.5 s, under 1%
    #: of the time 2,000 calls take.
    refresh_every: int = 2000

    def __post_init__(self) -> None:
        rules = load_ruleset(self.rule_dirs, defaults=self.default_rules, only=self.only, disable=self.disable)
        self.rules = rules
        self._rules_hash = rules_hash(rules)
        # The spaCy pipeline and the compiled rules are built on first use: a run whose files all
        # come from the result cache never imports spaCy. With --model they are built at once
        # (whether that pipeline has a parser decides which rules are active: the warnings).
        self._detector: Detector | None = None
        if self.model:
            self._detector = self._build_detector()
        self.calls_since_refresh = 0
        self.rule_categories = {r.id: r.category for r in rules}
        self.scorecard: Scorecard = load_scorecard(self.scorecard_path or default_scorecard_path(),
                                                   sorted({r.category for r in rules}))
        self.files_found = 0
        self.cache: Any = None
        if self.cache_dir is not None:
            from .cache import ResultCache
            self.cache = ResultCache(self.cache_dir, self.key)

    @property
    def detector(self) -> Detector:
        """The spaCy pipeline and compiled rules (built on first use)."""
        if self._detector is None:
            self._detector = self._build_detector()
        return self._detector

    def _build_detector(self) -> Detector:
        import gc
        detector = Detector(self.rules, model=self.model, sentiment_source=self.sentiment)
        if gc.get_freeze_count() > 0:  # the CLI froze the long-lived setup objects: these too
            gc.freeze()
        return detector

    @property
    def rules_hash(self) -> str:
        return self._rules_hash

    @property
    def warnings(self) -> list[str]:
        if self._detector is not None:
            return self._detector.warnings
        return dependency_warnings(self.rules)  # no --model: the blank pipeline has no parser

    def refresh(self) -> None:
        """Replace the pipeline and compiled rules with fresh ones (same rules, same results),
        letting go of the words the old vocabulary collected."""
        import gc
        frozen = gc.get_freeze_count() > 0  # the CLI freezes the long-lived setup objects
        if frozen:
            gc.unfreeze()
        self._detector = None
        from .detect import conversation, sentiment
        conversation.clear_caches()
        sentiment.clear_cache()
        gc.collect()
        self._detector = Detector(self.rules, model=self.model, sentiment_source=self.sentiment)
        self.calls_since_refresh = 0
        if frozen:
            gc.freeze()

    def score_transcripts(self, transcripts: Iterable[Transcript]) -> Iterator[CallResult]:
        for analysis in self.detector.analyze_many(transcripts):
            self.calls_since_refresh += 1
            yield build_result(analysis, self.scorecard, self.rule_categories, redact_pii=self.redact,
                               ignore=self.ignored_for(analysis.transcript.source),
                               ignore_origin=f"ignore in {self.ignore_origin}")

    def ignored_for(self, source: str) -> list[str]:
        """Rule ids the configuration suppresses for this file (globs match the path or name)."""
        import fnmatch
        if not self.ignore or not source:
            return []
        path = Path(source)
        out: list[str] = []
        for glob, ids in self.ignore.items():
            if fnmatch.fnmatch(path.as_posix(), glob) or fnmatch.fnmatch(path.name, glob) \
                    or fnmatch.fnmatch(path.as_posix(), f"*/{glob}"):
                out.extend(ids)
        return out

    def settings(self) -> dict:
        """What it takes to build the same Scorer elsewhere (a spawned worker, a Dask worker)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}

    @property
    def key(self) -> str:
        """Everything that changes results, for the cache: rules, scorecard and options."""
        return "|".join([self.rules_hash, self.scorecard.hash, str(self.redact), self.sentiment,
                         str(self.model), repr(self.load_options)])

    def score_path(self, path: Path) -> list[CallResult | InputError]:
        """Score one file (through the cache when one is set); failures become InputErrors."""
        return list(self.iter_path(path))

    def iter_path(self, path: Path) -> Iterator[CallResult | InputError]:
        """``score_path`` one result at a time: a cached file is read an entry line at a time,
        a scored one goes into its cache entry as each call is done (the entry is only written
        when the file is finished)."""
        key = self._cache_key(path)
        if key is not None:
            cached = self.cache.iter(key, str(path))
            if cached is not None:
                yield from cached
                return
        if self.refresh_every and self.calls_since_refresh >= self.refresh_every:
            self.refresh()
        writer = self.cache.writer(key) if key is not None else None
        try:
            for loaded in load_files([Path(path)], self.load_options):
                found = [loaded] if isinstance(loaded, InputError) else self.score_transcripts(loaded.transcripts)
                for item in found:
                    if writer is not None:
                        writer.add(item)
                    yield item
            if writer is not None:
                writer.commit()
                writer = None
        finally:
            if writer is not None:
                writer.abort()

    def _cache_key(self, path: Path) -> str | None:
        """The result cache's key for a file (None without a cache, or for an unreadable or
        oversized file, which is never cached)."""
        if self.cache is None:
            return None
        # the file name is part of the key: ids come from it (two files, same text, two calls)
        extra = Path(path).name + "|" + ",".join(sorted(self.ignored_for(str(path))))
        try:
            data = Path(path).read_bytes() if Path(path).stat().st_size <= self.load_options.max_file_size else None
        except OSError:
            return None
        return None if data is None else self.cache.key(data, extra)

    def all_cached(self, paths: Sequence[Path]) -> bool:
        """Every file has a result cache entry (worker processes would have nothing to do).
        Stops at the first file without one (a first run reads one file, not all)."""
        def cached(path: Path) -> bool:
            key = self._cache_key(path)
            return key is not None and self.cache.has(key)
        return all(cached(p) for p in paths)

    def score_files(self, paths: Iterable[str | Path], include: Sequence[str] = (),
                    exclude: Sequence[str] = (), workers: int = 1,
                    on_file: Callable[[int], None] | None = None) -> Iterator[CallResult | InputError]:
        """Every call in these files and folders, in input order (unreadable files as InputError)."""
        files, errors = discover(paths, include, exclude)
        yield from errors
        self.files_found = len(files)
        yield from score_in_order(self, files, workers, on_file)

    def score_chunk(self, transcripts: Sequence[Transcript]) -> list[CallResult]:
        """Score some calls of a file (a worker's share of a big file: batch.score_in_order),
        refreshing the pipeline first when it is due, as between files."""
        if self.refresh_every and self.calls_since_refresh >= self.refresh_every:
            self.refresh()
        return list(self.score_transcripts(transcripts))

    def score_loaded(self, item: LoadedFile) -> list[CallResult]:
        return list(self.score_transcripts(item.transcripts))
