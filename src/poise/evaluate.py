"""Measuring detection against human labels: precision, recall and F1 per behaviour, and the
Stanford politeness binary task.

Input is JSON Lines: one native poise transcript per line plus a ``labels`` object::

    {"id": "r1", "turns": [{"speaker": "customer", "text": "I was charged twice."},
                           {"speaker": "agent", "text": "I'm so sorry about that."}],
     "labels": {"turn": 1, "positive": ["apology"], "judged": ["apology", "courtesy"]}}

- ``turn``: 0-based index (into the record's ``turns`` as written) of the labelled turn;
- ``positive``: the behaviours present on that turn;
- ``judged``: the behaviours the annotator judged on that turn (absent: every category in
  ``poise.rules.CATEGORIES``); ``positive`` is always judged;
- ``politeness`` (optional): a human politeness score for that turn (higher = more polite).

A behaviour is *detected* on the labelled turn when a finding of that category, with the
category's default polarity, lies on that turn. Call-level findings (``turn`` None) never count,
nor do findings of the other polarity (passing the buck is an ``ownership`` deduction, not
ownership). Records are streamed through ``Detector.analyze_many`` (batched ``nlp.pipe``); only
the per-category counts, the politeness scores and, when asked, the errors are kept.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .errors import LoadError, UsageError
from .rules.model import CATEGORIES, Rule

if TYPE_CHECKING:  # pragma: no cover
    from .detect import Detector, Finding
    from .transcript import Transcript


# -- the politeness predictor -----------------------------------------------------------------
#: How much a finding of each category says about politeness: a credit finding adds its weight,
#: a deduction finding subtracts it; each (category, polarity) counts once per turn. A turn is
#: predicted polite when the sum is above ``POLITENESS_THRESHOLD``. Chosen from an argument, not
#: fitted to any data (docs/accuracy.md gives it in full):
#: - 1 for face-work, the strategies politeness theory (Brown & Levinson) and the Stanford
#:   politeness paper name: thanking/please/deference (courtesy), apologising, greeting,
#:   acknowledging the hearer's feelings or words (empathy, active-listening), reassurance
#:   (de-escalation), offering to act (ownership), well-wishing (closing);
#: - 1 for face-threatening acts: blaming the hearer, negative or absolute wording, phrases that
#:   inflame, non-apologies ("sorry you feel that way");
#: - 2 for rudeness (insults, contempt): an on-record attack on the hearer is not repaired by
#:   one courtesy formula ("thanks, genius" reads as rude);
#: - 0 for procedure (next-steps, hold-etiquette, verification), which says what is done, not
#:   how the hearer is treated, and for customer-frustration and customer-issue, the other
#:   party's state and request.
POLITENESS_WEIGHTS: dict[str, float] = {
    "courtesy": 1.0, "apology": 1.0, "greeting": 1.0, "empathy": 1.0, "active-listening": 1.0,
    "de-escalation": 1.0, "ownership": 1.0, "closing": 1.0,
    "blame": 1.0, "negative-language": 1.0, "escalation-trigger": 1.0, "non-apology": 1.0,
    "rudeness": 2.0,
    "next-steps": 0.0, "hold-etiquette": 0.0, "verification": 0.0, "customer-frustration": 0.0,
    "customer-issue": 0.0,
    # call-level figures from timings and sentiment say nothing about one written request
    "call-control": 0.0, "composure": 0.0, "customer-sentiment": 0.0,
}
#: Polite when the weighted sum is above this. A turn without any finding scores 0 and is
#: predicted impolite: politeness is marked (people add thanks, apologies, greetings, hedges to be
#: polite), so a request that carries none of these marks is a bare request, which sits on the
#: impolite side of a top-versus-bottom-quartile split.
POLITENESS_THRESHOLD: float = 0.0
#: Weight of a category that is not in the table (a team's own category).
POLITENESS_DEFAULT_WEIGHT: float = 0.0


def politeness_score(findings: Iterable["Finding"]) -> float:
    """The weighted sum above over findings (pass only the labelled turn's findings)."""
    seen = {(f.category, f.polarity) for f in findings}
    return sum(POLITENESS_WEIGHTS.get(c, POLITENESS_DEFAULT_WEIGHT) * (1 if p == "credit" else -1)
               for c, p in seen)


# -- records ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabelledRecord:
    """One labelled turn. ``turn`` indexes ``transcript.turns`` (empty turns are dropped by the
    loader); ``raw_turn`` is the index as written in the file."""

    id: str
    location: str
    transcript: "Transcript"
    turn: int
    raw_turn: int
    positive: frozenset[str]
    judged: frozenset[str]
    politeness: float | None = None


#: The keys of ``labels`` that poise reads; any other key is ignored (kept for people).
LABEL_KEYS = ("turn", "positive", "judged", "politeness")


class EvalInputError(UsageError):
    """A labelled file that cannot be read; the message starts with file:line."""


def read_records(paths: Sequence[Path], known: Iterable[str] = ()) -> Iterator[LabelledRecord]:
    """Stream labelled records from JSONL files, in order. ``known`` adds category names (a
    team's own) to ``CATEGORIES`` for checking label names. Raises EvalInputError(file:line)."""
    parse = RecordParser(known)
    for path, lineno, line in _lines(paths):
        yield parse(path, lineno, line)


def _lines(paths: Sequence[Path]) -> Iterator[tuple[Path, int, str]]:
    """(file, line number, line) for every non-blank line, streamed."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            raise EvalInputError(f"{path}: is a directory; give labelled .jsonl files")
        try:
            handle = open(path, encoding="utf-8-sig")
        except OSError as exc:
            raise EvalInputError(f"{path}: {exc.strerror or exc}") from exc
        count = lineno = 0
        with handle:
            try:
                for lineno, line in enumerate(handle, start=1):
                    if line.strip():
                        count += 1
                        yield path, lineno, line
            except UnicodeDecodeError as exc:
                raise EvalInputError(f"{path}:{lineno + 1}: not valid UTF-8 ({exc.reason})") from exc
        if not count:
            raise EvalInputError(f"{path}: no labelled records (the file is empty)")


class RecordParser:
    """Turns one JSONL line into a LabelledRecord, or raises EvalInputError with file:line."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        from .formats import LoadOptions
        self.known = set(CATEGORIES) | set(known)
        self.all_categories = frozenset(CATEGORIES)
        self.options = LoadOptions()

    def __call__(self, path: Path, lineno: int, line: str) -> LabelledRecord:
        from .formats import native
        from .roles import assign_roles

        where = f"{path}:{lineno}"

        def fail(message: str) -> EvalInputError:
            return EvalInputError(f"{where}: {message}")

        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise fail(f"malformed JSON at column {exc.colno}: {exc.msg}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
            raise fail("expected a poise transcript object with 'turns' and 'labels'")
        labels = data.get("labels")
        if not isinstance(labels, dict):
            raise fail("no 'labels' object (expected labels: {turn: N, positive: [...]})")
        for key in set(labels) - set(LABEL_KEYS):  # other keys (note, hard_negative...) are for people
            import difflib
            hint = difflib.get_close_matches(key, LABEL_KEYS, n=1, cutoff=0.75)
            if hint:
                raise fail(f"unknown key labels.{key} (did you mean {hint[0]!r}?)")
        raw_turn = labels.get("turn")
        if not isinstance(raw_turn, int) or isinstance(raw_turn, bool):
            raise fail("labels.turn must be an integer (the 0-based index of the labelled turn)")
        raw_turns = data["turns"]
        if not 0 <= raw_turn < len(raw_turns):
            raise fail(f"labels.turn {raw_turn} is out of range (the record has {len(raw_turns)} turn(s))")
        positive = _names(labels.get("positive", []), "positive", self.known, fail)
        judged = (self.all_categories if labels.get("judged") is None
                  else _names(labels["judged"], "judged", self.known, fail))
        politeness = labels.get("politeness")
        if politeness is not None and (not isinstance(politeness, (int, float)) or isinstance(politeness, bool)):
            raise fail("labels.politeness must be a number")
        record_id = str(data.get("id") or f"{path.stem}:{lineno}")
        try:
            # the loader's own conversion; its per-record JSON Schema validation (the slowest step
            # by far on 200k short records) only when the record is not plainly valid
            transcript = (native._one(data, record_id, path, self.options) if _plainly_valid(data)
                          else native.load_data(data, path, self.options)[0].with_(id=record_id))
        except LoadError as exc:
            raise fail(str(exc)) from exc
        transcript = assign_roles(transcript)
        kept = [i for i, t in enumerate(raw_turns) if isinstance(t, dict) and str(t.get("text", "")).strip()]
        if raw_turn not in kept:
            raise fail(f"labels.turn {raw_turn} is an empty turn")
        return LabelledRecord(record_id, where, transcript, kept.index(raw_turn), raw_turn, positive,
                              judged | positive, None if politeness is None else float(politeness))


def _plainly_valid(data: dict[str, Any]) -> bool:
    """True when ``data`` certainly satisfies poise/schemas/transcript.schema.json (the common
    shape: string speakers and texts, non-negative numeric times); anything else is validated by
    the loader, which reports what is wrong."""
    if "id" in data and (isinstance(data["id"], bool) or not isinstance(data["id"], (str, int))):
        return False
    if "metadata" in data and not isinstance(data["metadata"], dict):
        return False
    for turn in data["turns"]:
        if not isinstance(turn, dict):
            return False
        speaker, text = turn.get("speaker"), turn.get("text")
        if not isinstance(speaker, str) or not speaker or not isinstance(text, str):
            return False
        for key in ("start", "end"):
            value = turn.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or value < 0):
                return False
    return True


def _names(value: Any, key: str, known: set[str], fail: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"labels.{key} must be a list of category names")
    unknown = [v for v in value if v not in known]
    if unknown:
        import difflib
        hint = difflib.get_close_matches(unknown[0], known, n=1)
        raise fail(f"labels.{key}: unknown category {unknown[0]!r}"
                   + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return frozenset(value)


# -- counting ---------------------------------------------------------------------------------
@dataclass(slots=True)
class CategoryCounts:
    """Counts for one category over the records that judged it."""

    category: str
    judged: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def add(self, other: "CategoryCounts") -> None:
        self.judged += other.judged
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "judged": self.judged, "support": self.support,
                "predicted": self.predicted, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": _round(self.precision), "recall": _round(self.recall),
                "f1": _round(self.f1)}


@dataclass(frozen=True, slots=True)
class EvalError:
    """A false positive (``fired``: the words that fired) or a false negative (``fired``: what
    was found on the turn instead, as ``category (polarity): words``)."""

    kind: str  # "false-positive" | "false-negative"
    record: str
    location: str
    category: str
    turn: int
    text: str
    fired: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "location": self.location, "category": self.category,
                "turn": self.turn, "text": self.text, "fired": list(self.fired)}


@dataclass(frozen=True, slots=True)
class PolitenessResult:
    """The Stanford binary task: bottom quartile (impolite) vs top quartile (polite) of the
    human score, predicted from findings alone with ``POLITENESS_WEIGHTS``."""

    records: int              # records with a politeness score
    records_no_finding: int   # ... whose labelled turn had no finding at all
    per_class: int            # records in each quartile (rank-based: records // 4)
    correct_polite: int
    correct_impolite: int
    quartile_no_finding: int  # quartile records with no finding (all predicted impolite)
    with_findings: int        # quartile records with at least one finding
    correct_with_findings: int
    bottom_max: float | None  # the highest human score in the bottom quartile
    top_min: float | None     # the lowest human score in the top quartile

    @property
    def evaluated(self) -> int:
        return 2 * self.per_class

    @property
    def accuracy(self) -> float | None:
        return (self.correct_polite + self.correct_impolite) / self.evaluated if self.evaluated else None

    @property
    def accuracy_with_findings(self) -> float | None:
        return self.correct_with_findings / self.with_findings if self.with_findings else None

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "records_no_finding": self.records_no_finding,
                "evaluated": self.evaluated, "per_class": self.per_class,
                "accuracy": _round(self.accuracy),
                "correct_polite": self.correct_polite, "correct_impolite": self.correct_impolite,
                "quartile_no_finding": self.quartile_no_finding,
                "with_findings": self.with_findings,
                "accuracy_with_findings": _round(self.accuracy_with_findings),
                "bottom_quartile_max": self.bottom_max, "top_quartile_min": self.top_min,
                "weights": dict(POLITENESS_WEIGHTS), "threshold": POLITENESS_THRESHOLD}


def politeness_task(samples: Sequence[tuple[float, float, bool]]) -> PolitenessResult:
    """``samples``: (human score, predictor score, any finding) per record. The bottom and top
    quartiles are taken by rank (``len // 4`` records each; ties broken by input order)."""
    k = len(samples) // 4
    ordered = sorted(samples, key=lambda s: s[0])
    bottom, top = ordered[:k], ordered[len(ordered) - k:] if k else []
    polite = [s[1] > POLITENESS_THRESHOLD for s in top]
    impolite = [s[1] <= POLITENESS_THRESHOLD for s in bottom]
    quartile = [(s, ok) for s, ok in zip(top, polite)] + [(s, ok) for s, ok in zip(bottom, impolite)]
    with_findings = [(s, ok) for s, ok in quartile if s[2]]
    return PolitenessResult(
        records=len(samples), records_no_finding=sum(1 for s in samples if not s[2]), per_class=k,
        correct_polite=sum(polite), correct_impolite=sum(impolite),
        quartile_no_finding=len(quartile) - len(with_findings), with_findings=len(with_findings),
        correct_with_findings=sum(1 for _, ok in with_findings if ok),
        bottom_max=bottom[-1][0] if bottom else None, top_min=top[0][0] if top else None)


@dataclass
class Evaluation:
    """Everything ``poise eval`` reports."""

    files: list[str]
    records: int
    rules: int
    rules_hash: str
    categories: list[CategoryCounts]
    false_positives: list[EvalError] = field(default_factory=list)
    false_negatives: list[EvalError] = field(default_factory=list)
    politeness: PolitenessResult | None = None

    @property
    def micro(self) -> CategoryCounts:
        total = CategoryCounts("micro-average")
        for counts in self.categories:
            total.add(counts)
        return total

    def to_dict(self, show_errors: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "files": self.files, "records": self.records, "rules": self.rules,
            "rules_hash": self.rules_hash,
            "categories": [c.to_dict() for c in self.categories],
            "micro": {k: v for k, v in self.micro.to_dict().items() if k != "category"},
            "politeness": self.politeness.to_dict() if self.politeness else None,
        }
        if show_errors:
            data["errors"] = {"false_positives": [e.to_dict() for e in self.false_positives],
                              "false_negatives": [e.to_dict() for e in self.false_negatives]}
        return data


def default_polarities(rules: Sequence[Rule]) -> dict[str, str]:
    """Category -> the polarity that counts as detecting it: ``CATEGORIES`` for the shipped
    vocabulary; for a team's own category, the polarity its rules declare (credit if mixed)."""
    out: dict[str, str] = dict(CATEGORIES)
    own: dict[str, set[str]] = {}
    for rule in rules:
        if rule.category not in CATEGORIES:
            own.setdefault(rule.category, set()).add(rule.polarity)
    for category, polarities in own.items():
        out[category] = polarities.pop() if len(polarities) == 1 else "credit"
    return out


@dataclass
class Tally:
    """Running counts over records; tallies of separate chunks merge (parallel runs)."""

    polarity: dict[str, str]
    selected: frozenset[str]
    keep_errors: bool
    counts: dict[str, CategoryCounts] = field(default_factory=dict)
    false_positives: list[EvalError] = field(default_factory=list)
    false_negatives: list[EvalError] = field(default_factory=list)
    politeness: list[tuple[float, float, bool]] = field(default_factory=list)
    records: int = 0

    @classmethod
    def new(cls, rules: Sequence[Rule], categories: Sequence[str] = (), keep_errors: bool = False) -> "Tally":
        tally = cls(default_polarities(rules), frozenset(categories), keep_errors)
        tally.counts = {c: CategoryCounts(c) for c in categories}
        return tally

    def empty(self) -> "Tally":
        return Tally(self.polarity, self.selected, self.keep_errors)

    def run(self, records: Iterable[LabelledRecord], detector: "Detector", batch_size: int = 256) -> None:
        """Analyze the records through ``Detector.analyze_many`` (batched ``nlp.pipe``); only the
        records of the batch in flight are held."""
        pending: deque[LabelledRecord] = deque()

        def transcripts() -> Iterator["Transcript"]:
            for record in records:
                pending.append(record)
                yield record.transcript

        for analysis in detector.analyze_many(transcripts(), batch_size=batch_size):
            self.add(pending.popleft(), analysis.findings)

    def add(self, record: LabelledRecord, findings: Sequence["Finding"]) -> None:
        self.records += 1
        on_turn = [f for f in findings if f.turn == record.turn]
        detected: dict[str, list[str]] = {}
        for f in on_turn:
            if f.polarity == self.polarity.get(f.category):
                detected.setdefault(f.category, []).append(f.text)
        if record.politeness is not None:
            self.politeness.append((record.politeness, politeness_score(on_turn), bool(on_turn)))
        judged = record.judged & self.selected if self.selected else record.judged
        for category in judged:
            c = self.counts.get(category) or self.counts.setdefault(category, CategoryCounts(category))
            c.judged += 1
            is_positive, found = category in record.positive, category in detected
            if is_positive and found:
                c.tp += 1
            elif found:
                c.fp += 1
                if self.keep_errors:
                    self.false_positives.append(_error("false-positive", record, category,
                                                       tuple(detected[category])))
            elif is_positive:
                c.fn += 1
                if self.keep_errors:
                    self.false_negatives.append(_error("false-negative", record, category, tuple(
                        f"{f.category} ({f.polarity}): {f.text}" for f in on_turn)))

    def merge(self, other: "Tally") -> None:
        self.records += other.records
        for category, counts in other.counts.items():
            self.counts.setdefault(category, CategoryCounts(category)).add(counts)
        self.false_positives.extend(other.false_positives)
        self.false_negatives.extend(other.false_negatives)
        self.politeness.extend(other.politeness)

    def result(self, detector: "Detector", files: Sequence[str] = ()) -> Evaluation:
        order = {c: i for i, c in enumerate(CATEGORIES)}
        ordered = sorted(self.counts.values(), key=lambda c: (order.get(c.category, len(order)), c.category))
        return Evaluation(list(files), self.records, len(detector.rules), detector.rules_hash, ordered,
                          self.false_positives, self.false_negatives,
                          politeness_task(self.politeness) if self.politeness else None)


def evaluate(records: Iterable[LabelledRecord], detector: "Detector", *,
             categories: Sequence[str] = (), keep_errors: bool = False,
             files: Sequence[str] = (), batch_size: int = 256) -> Evaluation:
    """Run the detector over the records (streamed, batched) and count against the labels.
    ``categories`` restricts the per-category figures (the politeness task uses every finding)."""
    tally = Tally.new(detector.rules, categories, keep_errors)
    tally.run(records, detector, batch_size)
    return tally.result(detector, files)


def _error(kind: str, record: LabelledRecord, category: str, fired: tuple[str, ...]) -> EvalError:
    return EvalError(kind, record.id, record.location, category, record.raw_turn,
                     record.transcript.turns[record.turn].text, fired)


def evaluate_files(paths: Sequence[Path], detector: "Detector", *, categories: Sequence[str] = (),
                   keep_errors: bool = False, workers: int = 1) -> Evaluation:
    """``poise eval``: check the options, then stream every file through the detector, in
    ``workers`` processes when more than one (forked, so Linux only; elsewhere one)."""
    if not paths:
        raise UsageError("give at least one labelled .jsonl file")
    own = {r.category for r in detector.rules}
    known = set(CATEGORIES) | own
    for category in categories:
        if category not in known:
            import difflib
            hint = difflib.get_close_matches(category, known, n=1)
            raise UsageError(f"--category: unknown category {category!r}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, got {workers}")
    tally = Tally.new(detector.rules, list(dict.fromkeys(categories)), keep_errors)
    parse = RecordParser(own)
    if workers > 1 and _can_fork():
        _parallel(paths, detector, parse, tally, workers)
    else:
        tally.run((parse(*line) for line in _lines(paths)), detector)
    return tally.result(detector, [str(p) for p in paths])


# -- parallel runs: forked workers inherit the detector; chunks come back in order -------------
CHUNK_LINES = 2000
_WORKER: dict[str, Any] = {}


def _can_fork() -> bool:
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()


def _work(chunk: list[tuple[Path, int, str]]) -> Tally:
    tally: Tally = _WORKER["tally"].empty()
    parse = _WORKER["parse"]
    tally.run((parse(*line) for line in chunk), _WORKER["detector"])
    return tally


def _parallel(paths: Sequence[Path], detector: "Detector", parse: RecordParser, tally: Tally,
              workers: int) -> None:
    """Chunks of lines to ``workers`` forked processes, at most ``2 * workers`` chunks in flight, merged
    in input order (so the first bad line is the one reported)."""
    import itertools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    lines = _lines(paths)
    first = list(itertools.islice(lines, CHUNK_LINES))
    if len(first) < CHUNK_LINES:  # it all fits in one chunk: no processes
        tally.run((parse(*line) for line in first), detector)
        return
    lines = itertools.chain(first, lines)
    _WORKER.update(detector=detector, parse=parse, tally=tally.empty())
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            window: deque = deque()
            try:
                while chunk := list(itertools.islice(lines, CHUNK_LINES)):
                    window.append(pool.submit(_work, chunk))
                    if len(window) >= 2 * workers:
                        tally.merge(window.popleft().result())
                while window:
                    tally.merge(window.popleft().result())
            except BaseException:
                for future in window:
                    future.cancel()
                raise
    finally:
        _WORKER.clear()


def gate(evaluation: Evaluation, min_precision: float | None = None,
         min_recall: float | None = None) -> list[str]:
    """Threshold failures, one message each: any reported category with support > 0 under
    ``min_precision`` (only when it predicted something) or under ``min_recall``."""
    for name, value in (("--fail-under-precision", min_precision), ("--fail-under-recall", min_recall)):
        if value is not None and not 0 <= value <= 1:
            raise UsageError(f"{name} must be between 0 and 1, got {value}")
    failures = []
    for c in evaluation.categories:
        if not c.support:
            continue
        if min_precision is not None and c.precision is not None and c.precision < min_precision:
            failures.append(f"{c.category}: precision {c.precision:.3f} < {min_precision:g}")
        if min_recall is not None and c.recall is not None and c.recall < min_recall:
            failures.append(f"{c.category}: recall {c.recall:.3f} < {min_recall:g}")
    return failures


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)

