"""CallResult: the plain, serialisable outcome of scoring one call, what every report reads.

Built from the detector's CallAnalysis and the scorecard. Personal data is masked here, by
default, so that nothing downstream (reports, caches, worker pipes) ever holds it: turn texts,
finding texts and metadata are redacted and finding offsets moved to the masked text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from . import __version__
from .detect import CallAnalysis
from .redact import Redacted, redact, redact_value
from .rules.model import CUSTOMER_CONTEXT
from .scoring import Scorecard, score_call, section_to_dict

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class CallResult:
    id: str
    source: str
    format: str
    metadata: Mapping[str, Any]
    roles: Mapping[str, Any]
    turns: tuple[Mapping[str, Any], ...]
    findings: tuple[Mapping[str, Any], ...]
    score: float | None
    band: str | None
    auto_fail: str | None
    sections: tuple[Mapping[str, Any], ...]
    not_applicable: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    words: int = 0
    duration: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    redacted: bool = True
    suppressed: tuple[Mapping[str, Any], ...] = ()

    @property
    def agent(self) -> str | None:
        value = self.metadata.get("agent") or self.metadata.get("agent_name") or self.metadata.get("agentId")
        return str(value) if value else None

    def group(self, key: str) -> str:
        value = self.metadata.get(key)
        return str(value) if value not in (None, "") else "(none)"

    @property
    def credits(self) -> list[Mapping[str, Any]]:
        return [f for f in self.findings if f["polarity"] == "credit"]

    @property
    def deductions(self) -> list[Mapping[str, Any]]:
        return [f for f in self.findings if is_agent_deduction(f)]

    def top_deduction(self) -> Mapping[str, Any] | None:
        from .scoring import SEVERITY_RANK
        ranked = sorted(self.deductions, key=lambda f: -SEVERITY_RANK[f["severity"]])
        return ranked[0] if ranked else None

    def lean(self) -> "CallResult":
        """The same result without what only a one-call view needs (turn texts, the score lines'
        evidence, per-turn series): what a batch report that lists every call reads
        (``report.spool``)."""
        return CallResult.from_dict(self.lean_dict())

    def lean_dict(self) -> dict[str, Any]:
        """``lean().to_dict(with_turns=True)``, built directly (the spool writes it per call)."""
        data = self.to_dict()
        data["turns"] = [{"speaker": t.get("speaker"), "line": t.get("line"), "start": t.get("start"),
                          "end": t.get("end")} for t in self.turns]
        data["sections"] = [{**s, "lines": [{k: v for k, v in line.items() if k != "evidence"}
                                            for line in s.get("lines") or ()]} for s in self.sections]
        data["metrics"] = {k: v for k, v in self.metrics.items() if not isinstance(v, (list, dict))}
        return data

    def to_dict(self, with_turns: bool = False) -> dict[str, Any]:
        data = {
            "id": self.id, "source": self.source, "format": self.format,
            "metadata": dict(self.metadata), "roles": dict(self.roles),
            "score": self.score, "band": self.band, "auto_fail": self.auto_fail,
            "sections": [dict(s) for s in self.sections],
            "findings": [dict(f) for f in self.findings],
            "not_applicable": list(self.not_applicable), "warnings": list(self.warnings),
            "turn_count": len(self.turns), "words": self.words, "duration": self.duration,
            "metrics": dict(self.metrics), "redacted": self.redacted,
            "suppressed": [dict(f) for f in self.suppressed],
        }
        if with_turns:
            data["turns"] = [dict(t) for t in self.turns]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CallResult":
        return cls(id=data["id"], source=data["source"], format=data["format"], metadata=data["metadata"],
                   roles=data["roles"], turns=tuple(data.get("turns", ())), findings=tuple(data["findings"]),
                   score=data["score"], band=data["band"], auto_fail=data["auto_fail"],
                   sections=tuple(data["sections"]), not_applicable=tuple(data["not_applicable"]),
                   warnings=tuple(data["warnings"]), words=data["words"], duration=data["duration"],
                   metrics=data.get("metrics", {}), redacted=data.get("redacted", True),
                   suppressed=tuple(data.get("suppressed", ())))


def build_result(analysis: CallAnalysis, scorecard: Scorecard, rule_categories: Mapping[str, str],
                 *, redact_pii: bool = True, metrics: Mapping[str, Any] | None = None,
                 ignore: Sequence[str] = (), ignore_origin: str = "config") -> CallResult:
    """Score and mask one call. ``ignore`` names rules suppressed for this file by configuration."""
    from .detect.engine import names_rule
    t = analysis.transcript
    kept, set_aside = [], list(analysis.suppressed)
    for f in analysis.findings:
        if ignore and names_rule(ignore, f.rule, f.category):
            set_aside.append((f, f"ignored by {ignore_origin}"))
        else:
            kept.append(f)
    masks: list[Redacted | None] = [redact(turn.text) if redact_pii else None for turn in t.turns]
    turns = tuple({"speaker": turn.speaker, "label": turn.label,
                   "text": masks[i].text if masks[i] else turn.text,
                   "start": turn.start, "end": turn.end, "line": turn.line}
                  for i, turn in enumerate(t.turns))
    findings = tuple(_finding_dict(f.to_dict(), masks) for f in kept)
    suppressed = tuple({**_finding_dict(f.to_dict(), masks), "suppressed_by": why} for f, why in set_aside)
    steps = list(t.metadata.get("script_steps", {})) if t.format == "script" else None
    score, band, sections, auto_fail = score_call(scorecard, findings, analysis.not_applicable,
                                                  t.has_timings, rule_categories, steps)
    return CallResult(
        id=t.id, source=t.source, format=t.format,
        metadata=_jsonable(redact_value(dict(t.metadata)) if redact_pii else dict(t.metadata)),
        roles=t.roles.to_dict(), turns=turns, findings=findings, score=score, band=band,
        auto_fail=auto_fail, sections=tuple(section_to_dict(s) for s in sections),
        not_applicable=analysis.not_applicable, warnings=t.warnings, words=t.word_count,
        duration=t.duration, metrics={**analysis.metrics, **(metrics or {})}, redacted=redact_pii,
        suppressed=suppressed,
    )


def _jsonable(value: Any) -> Any:
    """Metadata as JSON would give it back: dates as ISO text, tuples as lists."""
    import datetime
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _finding_dict(finding: dict[str, Any], masks: Sequence[Redacted | None]) -> dict[str, Any]:
    turn = finding["turn"]
    mask = masks[turn] if turn is not None else None
    if mask is not None and finding["start"] is not None:
        start, end = mask.offset(finding["start"]), mask.offset(finding["end"], end=True)
        finding.update(start=start, end=end, text=mask.text[start:end])
    elif finding["text"] and masks and any(masks):
        finding["text"] = redact(finding["text"]).text
    return finding


def document(results: Sequence[CallResult], errors: Sequence[Mapping[str, str]], rules_hash: str,
             scorecard: Scorecard, with_turns: bool = False) -> dict[str, Any]:
    """The JSON report: one document with everything (see schemas/report.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "poise_version": __version__,
        "rules_hash": rules_hash,
        "scorecard": {"name": scorecard.name, "hash": scorecard.hash},
        "summary": summary(results, len(errors)),
        "calls": [r.to_dict(with_turns) for r in results],
        "errors": [dict(e) for e in errors],
    }


class Tally:
    """The batch summary's figures, kept call by call (a score, a band, a flag per call), so a
    streamed batch can report them without keeping its results."""

    def __init__(self) -> None:
        self.calls = 0
        self.scores: list[float] = []
        self.bands: dict[str, int] = {}
        self.auto_failed = 0

    def add(self, r: CallResult) -> None:
        self.calls += 1
        if r.score is not None:
            self.scores.append(r.score)
        if r.band:
            self.bands[r.band] = self.bands.get(r.band, 0) + 1
        self.auto_failed += bool(r.auto_fail)

    def summary(self, unreadable: int = 0) -> dict[str, Any]:
        import statistics
        scores = self.scores
        return {
            "calls": self.calls, "unreadable": unreadable,
            "mean_score": round(statistics.fmean(scores), 1) if scores else None,
            "median_score": round(statistics.median(scores), 1) if scores else None,
            "bands": dict(self.bands), "auto_failed": self.auto_failed,
        }


def summary(results: Sequence[CallResult], unreadable: int = 0) -> dict[str, Any]:
    tally = Tally()
    for r in results:
        tally.add(r)
    return tally.summary(unreadable)


def is_agent_deduction(finding: Mapping[str, Any]) -> bool:
    """A deduction for something the agent did (customer frustration and the customer's issue
    are context: ``CUSTOMER_CONTEXT``)."""
    return finding.get("polarity") == "deduction" and finding.get("category") not in CUSTOMER_CONTEXT
