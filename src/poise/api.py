"""The library API: score transcripts or files and get plain, serialisable CallResults.

    from poise.api import Scorer
    scorer = Scorer()                              # shipped rules and scorecard
    for result in scorer.score_files(["calls/"]):  # CallResult or InputError, in input order
        ...

A Scorer builds its spaCy pipeline and compiles its rules once; reuse it for every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from .batch import InputError, LoadedFile, discover, load_files
from .detect import Detector
from .formats import LoadOptions
from .results import CallResult, build_result
from .rules import default_rules_dir, load_ruleset
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

    def __post_init__(self) -> None:
        rules = load_ruleset(self.rule_dirs, defaults=self.default_rules, only=self.only, disable=self.disable)
        self.detector = Detector(rules, model=self.model, sentiment_source=self.sentiment)
        self.rule_categories = {r.id: r.category for r in rules}
        self.scorecard: Scorecard = load_scorecard(self.scorecard_path or default_scorecard_path(),
                                                   sorted({r.category for r in rules}))

    @property
    def rules_hash(self) -> str:
        return self.detector.rules_hash

    @property
    def warnings(self) -> list[str]:
        return self.detector.warnings

    def score_transcripts(self, transcripts: Iterable[Transcript]) -> Iterator[CallResult]:
        for analysis in self.detector.analyze_many(transcripts):
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

    def score_files(self, paths: Iterable[str | Path], include: Sequence[str] = (),
                    exclude: Sequence[str] = ()) -> Iterator[CallResult | InputError]:
        files, errors = discover(paths, include, exclude)
        yield from errors
        for item in load_files(files, self.load_options):
            if isinstance(item, InputError):
                yield item
            else:
                yield from self.score_transcripts(item.transcripts)

    def score_loaded(self, item: LoadedFile) -> list[CallResult]:
        return list(self.score_transcripts(item.transcripts))
