"""Scorecards: a QA evaluation form in YAML that turns findings into an explainable 0-100 score.

A scorecard has weighted **sections**; a section has **questions** (points earned when a
behaviour is PRESENT, none when NOT_PRESENT, left out of the potential when N/A) and
**deductions** (points taken per finding, capped); **auto_fail** items set the call's score to
0 and say why; **bands** name score ranges. Section score = 100 x (earned - deducted) /
potential; the call score is the weight-averaged section scores over the sections that apply.
Every point added or taken is a ``ScoreLine`` naming the rule, the turn and the words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import ConfigError
from .rules.model import CATEGORIES, SEVERITIES
from .rules.yamlsource import line_of, load_yaml

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


# -- the scorecard -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Selector:
    """Which findings a question, deduction or auto-fail item is about."""

    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    min_severity: str | None = None

    def matches(self, finding: Mapping[str, Any]) -> bool:
        if self.categories and finding["category"] not in self.categories:
            return False
        if self.rules and finding["rule"] not in self.rules:
            return False
        if self.min_severity and SEVERITY_RANK[finding["severity"]] < SEVERITY_RANK[self.min_severity]:
            return False
        return True

    def describe(self) -> str:
        parts = list(self.categories) + list(self.rules)
        text = " or ".join(parts) or "any finding"
        return f"{text} ({self.min_severity}+)" if self.min_severity else text


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    points: float
    present: Selector
    applies_when: Selector | None = None
    requires_timings: bool = False


@dataclass(frozen=True)
class Deduction:
    select: Selector
    points: float
    max: float | None = None


@dataclass(frozen=True)
class Section:
    name: str
    weight: float
    questions: tuple[Question, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    base: float = 0.0
    deduction_cap: float | None = None


@dataclass(frozen=True)
class AutoFail:
    select: Selector
    reason: str


@dataclass(frozen=True)
class Band:
    name: str
    min: float


@dataclass(frozen=True)
class Scorecard:
    name: str
    sections: tuple[Section, ...]
    bands: tuple[Band, ...]
    auto_fail: tuple[AutoFail, ...] = ()
    source: str = ""
    hash: str = ""

    def band(self, score: float | None) -> str | None:
        if score is None:
            return None
        for band in self.bands:
            if score >= band.min:
                return band.name
        return self.bands[-1].name if self.bands else None


# -- reading a scorecard --------------------------------------------------------------------------
class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ConfigError] = []

    def fail(self, message: str, container: Any = None, key: Any = None) -> None:
        line, column = line_of(container, key)
        self.problems.append(ConfigError(message, self.path, line, column))

    def keys(self, raw: Mapping, allowed: Sequence[str], what: str) -> None:
        import difflib
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(f"unknown key {key!r} in {what}{hint}", raw, key)

    def number(self, raw: Mapping, key: str, default: float | None = None, minimum: float = 0) -> float | None:
        value = raw.get(key, default)
        if value is None:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < minimum:
            self.fail(f"'{key}' must be a number of at least {minimum:g}", raw, key)
            return default
        return float(value)

    def selector(self, raw: Any, owner: Any, key: str, known_categories: set[str]) -> Selector | None:
        if not isinstance(raw, Mapping):
            self.fail(f"'{key}' must be a mapping such as {{category: greeting}} or {{rule: blame.customer}}",
                      owner, key)
            return None
        self.keys(raw, ("category", "rule", "min_severity"), f"'{key}'")
        cats = raw.get("category", [])
        rules = raw.get("rule", [])
        cats = [cats] if isinstance(cats, str) else cats
        rules = [rules] if isinstance(rules, str) else rules
        if not isinstance(cats, list) or not isinstance(rules, list) or not (cats or rules or raw.get("min_severity")):
            self.fail(f"'{key}' needs category, rule or min_severity", owner, key)
            return None
        for c in cats:
            if c not in known_categories:
                import difflib
                close = difflib.get_close_matches(str(c), sorted(known_categories), n=1, cutoff=0.6)
                self.fail(f"unknown category {c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""), raw, "category")
        severity = raw.get("min_severity")
        if severity is not None and severity not in SEVERITIES:
            self.fail(f"min_severity must be one of {', '.join(SEVERITIES)}", raw, "min_severity")
            severity = None
        return Selector(tuple(cats), tuple(rules), severity)


def load_scorecard(path: Path | str, extra_categories: Sequence[str] = ()) -> Scorecard:
    """Read and check a scorecard; every problem is reported with file:line:column."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else None
    if text is None:
        raise ConfigError("scorecard file not found", str(path))
    data = load_yaml(path, text)
    r = _Reader(str(path))
    known = set(CATEGORIES) | set(extra_categories)
    if not isinstance(data, Mapping):
        raise ConfigError("a scorecard is a mapping with name, sections, bands", str(path), 1)
    r.keys(data, ("name", "description", "sections", "bands", "auto_fail"), "the scorecard")
    sections = [_section(r, raw, data["sections"], i, known)
                for i, raw in enumerate(data.get("sections") or [])] if isinstance(data.get("sections"), list) else []
    if not sections:
        r.fail("a scorecard needs a non-empty 'sections' list", data, "sections")
    bands = []
    for i, raw in enumerate(data.get("bands") or []):
        if not isinstance(raw, Mapping) or "name" not in raw or "min" not in raw:
            r.fail("a band is {name: Excellent, min: 90}", data["bands"], i)
            continue
        bands.append(Band(str(raw["name"]), r.number(raw, "min", 0.0) or 0.0))
    bands.sort(key=lambda b: -b.min)
    auto_fail = []
    for i, raw in enumerate(data.get("auto_fail") or []):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("reason"), str):
            r.fail("an auto_fail item needs a selector (category/rule/min_severity) and a reason", data["auto_fail"], i)
            continue
        r.keys(raw, ("category", "rule", "min_severity", "reason"), "auto_fail")
        selector = r.selector({k: v for k, v in raw.items() if k != "reason"}, data["auto_fail"], i, known)
        if selector:
            auto_fail.append(AutoFail(selector, raw["reason"]))
    if r.problems:
        from .rules import RuleErrors
        raise RuleErrors(r.problems)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Scorecard(str(data.get("name") or path.stem), tuple(s for s in sections if s), tuple(bands),
                     tuple(auto_fail), str(path), digest)


def _section(r: _Reader, raw: Any, container: Any, index: int, known: set[str]) -> Section | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        r.fail("a section needs a name", container, index)
        return None
    r.keys(raw, ("name", "weight", "questions", "deductions", "base", "deduction_cap", "description"),
           f"section {raw['name']!r}")
    questions = []
    for i, q in enumerate(raw.get("questions") or []):
        if not isinstance(q, Mapping) or not all(k in q for k in ("id", "text", "present")):
            r.fail("a question needs id, text, present (and points)", raw["questions"], i)
            continue
        r.keys(q, ("id", "text", "points", "present", "applies_when", "requires_timings"), f"question {q.get('id')!r}")
        present = r.selector(q["present"], q, "present", known)
        applies = r.selector(q["applies_when"], q, "applies_when", known) if "applies_when" in q else None
        if present:
            questions.append(Question(str(q["id"]), str(q["text"]), r.number(q, "points", 10.0) or 0.0,
                                      present, applies, bool(q.get("requires_timings", False))))
    deductions = []
    for i, d in enumerate(raw.get("deductions") or []):
        if not isinstance(d, Mapping) or "points" not in d:
            r.fail("a deduction needs a selector (category/rule/min_severity) and points", raw["deductions"], i)
            continue
        r.keys(d, ("category", "rule", "min_severity", "points", "max"), "deduction")
        selector = r.selector({k: v for k, v in d.items() if k not in ("points", "max")}, raw["deductions"], i, known)
        if selector:
            deductions.append(Deduction(selector, r.number(d, "points", 0.0) or 0.0, r.number(d, "max")))
    base = r.number(raw, "base", 0.0) or 0.0
    if not questions and not base:
        r.fail(f"section {raw['name']!r} needs questions or a base of points to deduct from", raw, "name")
    return Section(raw["name"], r.number(raw, "weight", 1.0, minimum=0) or 0.0, tuple(questions),
                   tuple(deductions), base, r.number(raw, "deduction_cap"))


# -- scoring ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreLine:
    """One traceable entry: points earned (+) or taken (-), and the evidence."""

    section: str
    item: str
    points: float
    status: str  # PRESENT | NOT_PRESENT | N/A | DEDUCTION | CAPPED | BASE
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SectionScore:
    name: str
    weight: float
    score: float | None  # None: N/A
    earned: float
    deducted: float
    potential: float
    lines: tuple[ScoreLine, ...]


def _evidence(findings: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple({"rule": f["rule"], "turn": f["turn"], "text": f["text"]} for f in findings)


def score_call(scorecard: Scorecard, findings: Sequence[Mapping[str, Any]],
               not_applicable: Sequence[str] = (), has_timings: bool = True,
               rule_categories: Mapping[str, str] | None = None,
               script_steps: Sequence[str] | None = None) -> tuple[float | None, str | None, list[SectionScore], str | None]:
    """Score one call's findings (as dicts). Returns (score, band, sections, auto-fail reason).

    For a call script (``script_steps`` given: the steps it declares), a question is N/A unless
    the script declares a step for it or shows the behaviour: a script is judged on what it
    sets out to say, and deductions apply everywhere.
    """
    na_categories = _na_categories(not_applicable, rule_categories or {})
    if script_steps is not None:
        shown = {f["category"] for f in findings if f["polarity"] == "credit"}
        na_categories |= {c for q in (q for s in scorecard.sections for q in s.questions)
                          for c in q.present.categories if c not in script_steps and c not in shown}
    sections = [_score_section(s, findings, na_categories, has_timings) for s in scorecard.sections]
    applicable = [s for s in sections if s.score is not None and s.weight > 0]
    total = sum(s.weight for s in applicable)
    score = round(sum(s.score * s.weight for s in applicable) / total, 1) if total else None
    reason = None
    for item in scorecard.auto_fail:
        hits = [f for f in findings if item.select.matches(f)]
        if hits:
            reason = f"{item.reason}: {hits[0]['text']!r}" if hits[0]["text"] else item.reason
            score = 0.0
            break
    return score, scorecard.band(score), sections, reason


def _na_categories(not_applicable: Sequence[str], rule_categories: Mapping[str, str]) -> set[str]:
    """Categories whose every rule could not apply to this call (e.g. no agent turns)."""
    by_category: dict[str, list[str]] = {}
    for rule_id, category in rule_categories.items():
        by_category.setdefault(category, []).append(rule_id)
    na = set(not_applicable)
    return {c for c, ids in by_category.items() if ids and all(i in na for i in ids)}


def _score_section(section: Section, findings: Sequence[Mapping[str, Any]], na_categories: set[str],
                   has_timings: bool) -> SectionScore:
    lines: list[ScoreLine] = []
    earned = potential = 0.0
    if section.base:
        earned += section.base
        potential += section.base
        lines.append(ScoreLine(section.name, "starting points", section.base, "BASE"))
    for q in section.questions:
        na = (q.requires_timings and not has_timings) or (
            q.present.categories and all(c in na_categories for c in q.present.categories))
        if not na and q.applies_when is not None:
            na = not any(q.applies_when.matches(f) for f in findings)
        if na:
            lines.append(ScoreLine(section.name, q.text, 0.0, "N/A"))
            continue
        hits = [f for f in findings if q.present.matches(f) and f["polarity"] == "credit"]
        potential += q.points
        if hits:
            earned += q.points
            lines.append(ScoreLine(section.name, q.text, q.points, "PRESENT", _evidence(hits[:3])))
        else:
            misses = [f for f in findings if q.present.matches(f) and f["polarity"] == "deduction"]
            lines.append(ScoreLine(section.name, q.text, 0.0, "NOT_PRESENT", _evidence(misses[:3])))
    deducted = 0.0
    for d in section.deductions:
        hits = [f for f in findings if d.select.matches(f) and f["polarity"] == "deduction"]
        for f in hits:
            take = d.points
            so_far = sum(-line.points for line in lines if line.status == "DEDUCTION" and line.item == d.select.describe())
            if d.max is not None and so_far + take > d.max:
                take = max(0.0, d.max - so_far)
            if take <= 0:
                continue
            deducted += take
            lines.append(ScoreLine(section.name, d.select.describe(), -take, "DEDUCTION", _evidence([f])))
    if section.deduction_cap is not None and deducted > section.deduction_cap:
        lines.append(ScoreLine(section.name, f"deductions capped at {section.deduction_cap:g}",
                               deducted - section.deduction_cap, "CAPPED"))
        deducted = section.deduction_cap
    if potential <= 0:
        return SectionScore(section.name, section.weight, None, 0.0, deducted, 0.0, tuple(lines))
    value = max(0.0, min(100.0, 100.0 * (earned - deducted) / potential))
    return SectionScore(section.name, section.weight, round(value, 1), earned, deducted, potential, tuple(lines))


def section_to_dict(s: SectionScore) -> dict[str, Any]:
    """Plain JSON-shaped data (lists, not tuples), identical before and after a JSON round trip."""
    return {"name": s.name, "weight": s.weight, "score": s.score, "earned": s.earned, "deducted": s.deducted,
            "potential": s.potential,
            "lines": [{"section": line.section, "item": line.item, "points": line.points, "status": line.status,
                       "evidence": [dict(e) for e in line.evidence]} for line in s.lines]}
