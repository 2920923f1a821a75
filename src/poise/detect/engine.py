"""The detector: runs the compiled matchers over each turn's Doc and turns matches into Findings.

Per turn, each matcher runs once over the Doc (no loop over phrases or rules per token); the
checks below run only for rules that matched. Then, per call: ``after`` conditions (in
dependency order), the overlap policy, ``required`` rules, and ``metric`` rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from ..rules.compile import CompiledRules, RuleMatches, uses_lemmas
from ..rules.loader import after_order
from ..rules.model import Rule
from ..transcript import Transcript, Turn
from . import checks, conversation
from .finding import Candidate, Finding
from . import dynamics, sentiment
from .metrics import applicable, count_metrics, metric_findings
from .overlap import apply_overlap_policy
from .text import CleanText, clean

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass(frozen=True)
class CallAnalysis:
    """What the detector found in one call. ``candidates`` (every match, with the reason it was
    cancelled, if it was) is kept only when explaining; ``not_applicable`` lists rule ids that
    could not apply (a required behaviour of a speaker who never spoke, a metric without data)."""

    transcript: Transcript
    findings: tuple[Finding, ...]
    not_applicable: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = field(default=(), repr=False)
    suppressed: tuple[tuple[Finding, str], ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)


class Detector:
    """Rules compiled against one spaCy pipeline; build once per process, reuse for every call."""

    def __init__(self, rules: Sequence[Rule], *, model: str | None = None,
                 nlp: "Language | None" = None, parser: bool | None = None,
                 sentiment_source: str = "lexicon", conversation_metrics: bool = True) -> None:
        from ..nlp import build_pipeline, has_parser

        self.rules = list(rules)
        self.nlp = nlp if nlp is not None else build_pipeline(model, lemmas=uses_lemmas(self.rules))
        self.parser = has_parser(self.nlp) if parser is None else parser
        self.compiled = CompiledRules(self.rules, self.nlp, self.parser)
        self.stages = after_order(self.rules)
        self._stage_of = {r.id: n for n, stage in enumerate(self.stages) for r in stage}
        self.required = [r for r in self.rules if r.kind == "required"]
        self.turn_detectors = [(i, r) for i, r in enumerate(self.rules)
                               if r.detector in conversation.TURN_DETECTORS]
        self.call_detectors = [r for r in self.rules if r.detector in conversation.CALL_LEVEL]
        self.metric_rules = [r for r in self.rules if r.kind == "metric"]
        self.sentiment_source = sentiment_source
        self.conversation_metrics = conversation_metrics
        self.warnings: list[str] = _dependency_warning(self.compiled.skipped_dependency)

    @property
    def rules_hash(self) -> str:
        return self.compiled.hash

    # -- entry points ---------------------------------------------------------------------------
    def analyze(self, transcript: Transcript, *, explain: bool = False,
                metrics: Mapping[str, float | None] | None = None) -> CallAnalysis:
        cleaned = [clean(t.text) for t in transcript.turns]
        docs = list(self.nlp.pipe(c.text for c in cleaned))
        return self.analyze_docs(transcript, docs, cleaned, explain=explain, metrics=metrics)

    def analyze_many(self, transcripts: Iterable[Transcript], batch_size: int = 256) -> Iterator[CallAnalysis]:
        """Analyze calls in order, feeding all their turns through ``nlp.pipe`` in batches."""
        pending: list[tuple[Transcript, list[CleanText]]] = []
        texts: list[str] = []
        for transcript in transcripts:
            cleaned = [clean(t.text) for t in transcript.turns]
            pending.append((transcript, cleaned))
            texts.extend(c.text for c in cleaned)
            if len(texts) >= batch_size * 4:
                yield from self._flush(pending, texts, batch_size)
                pending, texts = [], []
        if pending:
            yield from self._flush(pending, texts, batch_size)

    def _flush(self, pending, texts, batch_size) -> Iterator[CallAnalysis]:
        docs = iter(list(self.nlp.pipe(texts, batch_size=batch_size)))
        for transcript, cleaned in pending:
            call_docs = [next(docs) for _ in cleaned]
            yield self.analyze_docs(transcript, call_docs, cleaned)

    # -- the work -------------------------------------------------------------------------------
    def analyze_docs(self, transcript: Transcript, docs: Sequence["Doc"],
                     cleaned: Sequence[CleanText] | None = None, *, explain: bool = False,
                     metrics: Mapping[str, float | None] | None = None) -> CallAnalysis:
        """Findings for a call whose turns are already Docs (tests build Docs with explicit parses)."""
        turns = transcript.turns
        self._transcript = transcript
        cleaned = cleaned or [CleanText(d.text) for d in docs]
        speaker_turns = _speaker_turns(turns)
        per_turn: list[list[Candidate]] = []
        for index, (turn, doc, text) in enumerate(zip(turns, docs, cleaned)):
            found = self.compiled.match(doc)
            candidates = []
            for rule_index, parts in found.items():
                rule = self.rules[rule_index]
                if rule.kind == "metric":
                    continue
                for span in parts.main:
                    candidate = self._candidate(rule_index, index, turn, doc, text, span)
                    candidate.cancelled = self._check(rule, turn, index, doc, span, parts,
                                                      speaker_turns, len(turns), text.text)
                    candidates.append(candidate)
            per_turn.append(candidates)
        for rule_index, rule in self.turn_detectors:
            detect = conversation.TURN_DETECTORS[rule.detector]
            for candidate in detect(rule_index, rule, transcript, docs, cleaned):
                if not checks.in_window(rule.within, candidate.turn, speaker_turns[rule.speaker], len(turns)):
                    candidate.cancelled = f"outside the rule's window ({_window_text(rule)})"
                per_turn[candidate.turn].append(candidate)
        self._apply_after(per_turn)
        for candidates in per_turn:
            apply_overlap_policy(candidates, self.rules)
        findings = [self._finding(c, turns[c.turn]) for cs in per_turn for c in cs if c.cancelled is None]
        findings.sort(key=lambda f: (f.turn, f.start))
        not_applicable: list[str] = []
        findings.extend(self._missing(per_turn, speaker_turns, len(turns), not_applicable))
        for rule in self.call_detectors:
            findings.extend(conversation.missing_next_steps(rule, findings, len(turns)))
        figures: dict[str, Any] = {}
        if self.conversation_metrics:
            figures.update(dynamics.compute(transcript))
            figures.update(sentiment.compute(transcript, findings, self.sentiment_source))
        figures.update(metrics or {})
        if self.metric_rules:
            values = {**count_metrics(findings), **figures}
            findings.extend(metric_findings(self.metric_rules, values))
            not_applicable.extend(r.id for r in self.metric_rules if not applicable(r, values))
        all_candidates = tuple(c for cs in per_turn for c in cs) if explain else ()
        kept, suppressed = split_suppressed(findings, turns)
        return CallAnalysis(transcript, tuple(kept), tuple(not_applicable), all_candidates, tuple(suppressed),
                            figures)

    def _candidate(self, rule_index: int, index: int, turn: Turn, doc: "Doc", text: CleanText,
                   span: tuple[int, int]) -> Candidate:
        s, e = span
        start = text.original(doc[s].idx)
        last = doc[e - 1]
        end = text.original(last.idx + len(last.text) - 1) + 1
        return Candidate(rule_index, index, s, e, start, end, turn.text[start:end])

    def _check(self, rule: Rule, turn: Turn, index: int, doc: "Doc", span: tuple[int, int],
               parts: RuleMatches, speaker_turns: Mapping[str, list[int]], n_turns: int,
               doc_text: str) -> str | None:
        """Why this match is cancelled, or None. ``doc_text`` is ``doc.text`` (which spaCy
        rebuilds from the tokens at every access)."""
        if not checks.speaker_matches(rule, turn.speaker):
            return f"spoken by the {turn.speaker}; the rule is for the {rule.speaker}"
        step = _script_step(self._transcript, rule)
        if step is not None:
            if rule.within is not None and index not in step:
                return f"outside the script's {rule.category} step"
        elif not checks.in_window(rule.within, index, speaker_turns[rule.speaker], n_turns):
            return f"outside the rule's window ({_window_text(rule)})"
        if not rule.quoted and checks.quoted(doc_text, doc[span[0]].idx):
            return "inside quotation marks"
        if rule.negation and checks.negated(doc, span[0]):
            return "negated"
        if checks.cancelled_by_unless(doc, span, parts.unless):
            unless = next(doc[s:e].text for s, e in parts.unless)
            return f"cancelled by 'unless' ({unless!r} in the same sentence)"
        if rule.proximity and not checks.near_enough(span, parts.near, rule.proximity.distance):
            return f"no proximity pattern within {rule.proximity.distance} tokens"
        return None

    def _apply_after(self, per_turn: list[list[Candidate]]) -> None:
        """Cancel matches of ``after`` rules with no finding of their reference in the previous
        turns. Stages make sure a reference is decided before the rules that wait for it; a
        reference that no loaded rule produces is simply never seen."""
        for stage in self.stages:
            ids = {r.id for r in stage if r.after}
            if not ids:
                continue
            for index, candidates in enumerate(per_turn):
                for c in candidates:
                    rule = self.rules[c.rule_index]
                    if c.cancelled is not None or rule.id not in ids:
                        continue
                    assert rule.after is not None
                    window = per_turn[max(0, index - rule.after.turns):index]
                    seen = any(o.cancelled is None and rule.after.ref in
                               (self.rules[o.rule_index].id, self.rules[o.rule_index].category)
                               for turn_candidates in window for o in turn_candidates)
                    if not seen:
                        c.cancelled = f"no {rule.after.ref} in the previous {rule.after.turns} turn(s)"

    def _missing(self, per_turn: list[list[Candidate]], speaker_turns: Mapping[str, list[int]],
                 n_turns: int, not_applicable: list[str]) -> list[Finding]:
        out = []
        for rule in self.required:
            if self._transcript.format == "script":
                # a script is judged on the steps it declares: no greeting step, no greeting rule
                window = [i for i in (_script_step(self._transcript, rule) or []) if i in speaker_turns[rule.speaker]]
            else:
                window = [i for i in speaker_turns[rule.speaker]
                          if checks.in_window(rule.within, i, speaker_turns[rule.speaker], n_turns)]
            if not window:
                not_applicable.append(rule.id)
                continue
            present = any(self.rules[c.rule_index] is rule and c.cancelled is None
                          for i in window for c in per_turn[i])
            if not present:
                out.append(Finding(rule=rule.id, category=rule.category, polarity="deduction",
                                   severity=rule.severity, turn=None, speaker=rule.speaker,
                                   start=None, end=None, text="",
                                   message=rule.extra.get("missing_message") or f"Missing: {rule.message}",
                                   tip=rule.tip, kind="missing", link=rule.link))
        return out

    def _finding(self, c: Candidate, turn: Turn) -> Finding:
        rule = self.rules[c.rule_index]
        kind = "forbidden" if rule.kind == "forbidden" else "match"
        return Finding(rule=rule.id, category=rule.category,
                       polarity="deduction" if kind == "forbidden" else rule.polarity,
                       severity=rule.severity, turn=c.turn, speaker=turn.speaker, start=c.start,
                       end=c.end, text=c.text, message=rule.message, tip=rule.tip, kind=kind,
                       link=rule.link)


def _script_step(transcript: Transcript, rule: Rule) -> list[int] | None:
    """The turns of a script's step for this rule's category (None: not a script, or no such step)."""
    if transcript.format != "script":
        return None
    steps = transcript.metadata.get("script_steps") or {}
    return steps.get(rule.category)



def dependency_warnings(rules: Sequence[Rule]) -> list[str]:
    """The warnings a Detector on a pipeline without a parser gives, without building one."""
    skipped = [r.id for r in rules
               if any(p.kind == "dependency"
                      for p in (*r.patterns, *r.unless, *(r.proximity.patterns if r.proximity else ())))]
    return _dependency_warning(skipped)


def _dependency_warning(skipped: Sequence[str]) -> list[str]:
    if not skipped:
        return []
    return [f"{len(skipped)} rule(s) with dependency patterns are inactive because the pipeline has "
            f"no parser ({', '.join(skipped[:5])}{'...' if len(skipped) > 5 else ''}); use --model with "
            "a trained pipeline, e.g. --model en_core_web_sm, to enable them"]


def _speaker_turns(turns: Sequence[Turn]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"agent": [], "customer": [], "other": [], "any": list(range(len(turns)))}
    for i, t in enumerate(turns):
        out[t.speaker].append(i)
    return out


def _window_text(rule: Rule) -> str:
    w = rule.within
    if w is None:
        return ""
    for key in ("first_turns", "last_turns", "first_percent", "last_percent"):
        value = getattr(w, key)
        if value is not None:
            return f"{key.replace('_', ' ')}: {value:g}"
    return ""


def names_rule(names: Sequence[str], rule: str, category: str) -> bool:
    """Whether a suppression list names this rule: by id, id prefix, category, or ``all``."""
    return any(n in ("all", "*", rule, category) or rule.startswith(n + ".") for n in names)


def split_suppressed(findings: Sequence[Finding], turns: Sequence[Turn]) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Findings on a turn carrying an inline ``poise: ignore`` marker for their rule are set
    aside with the reason (reported as suppressed, never silently dropped)."""
    kept, suppressed = [], []
    for f in findings:
        ignore = turns[f.turn].extra.get("ignore", ()) if f.turn is not None else ()
        if ignore and names_rule(ignore, f.rule, f.category):
            line = turns[f.turn].line
            suppressed.append((f, f"inline marker 'poise: ignore'" + (f" on line {line}" if line else "")))
        else:
            kept.append(f)
    return kept, suppressed
