"""Reading rule files: YAML -> validated ``Rule`` objects, every problem reported as
``file:line:column: what is wrong (and what to do)``.

A rule file holds either a list of rules or a mapping with ``rules:`` and optional
``defaults:`` (keys every rule in the file inherits, e.g. ``category``). Files are read from the
shipped ``rules/`` folder, then from ``--rules DIR`` folders; a later rule with the same ``id``
replaces an earlier one (that is how a team overrides a default rule).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import ConfigError
from .model import (CATEGORIES, CUSTOMER_CONTEXT, DETECTORS, KINDS, METRIC_NAMES, SEVERITIES, SPEAKERS, After, Example, Metric, Pattern,
                    Proximity, Rule, Window)
from .regex_safety import check_regex, iter_regexes
from .yamlsource import LineDict, LineList, line_of, load_yaml

if TYPE_CHECKING:  # pragma: no cover
    from .cache import RuleCache

RULE_KEYS = ("id", "category", "polarity", "severity", "message", "tip", "link", "speaker", "kind",
             "patterns", "unless", "negation", "quoted", "within", "after", "proximity", "when",
             "suppresses", "examples", "description", "tags", "enabled", "missing_message", "detector", "params")
FILE_KEYS = ("rules", "defaults", "description", "version")
WINDOW_KEYS = ("first_turns", "last_turns", "first_percent", "last_percent")
MAX_REPEAT = 16
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
_WHEN = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


class RuleErrors(ConfigError):
    """Several problems in rule files; ``problems`` lists each as a ConfigError."""

    def __init__(self, problems: list[ConfigError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class _Reader:
    """Collects problems while reading one file, so that validate can report all of them."""

    path: str
    problems: list[ConfigError] = field(default_factory=list)

    def problem(self, message: str, container: Any = None, key: Any = None) -> None:
        line, column = line_of(container, key)
        self.problems.append(ConfigError(message, self.path, line, column))

    # -- patterns -------------------------------------------------------------------------
    def patterns(self, raw: Any, owner: Any, key: str) -> tuple[Pattern, ...]:
        if raw is None:
            return ()
        if isinstance(raw, (str, LineDict)):
            raw = LineList([raw])
            raw.item_lines = [line_of(owner, key)]
        if not isinstance(raw, list):
            self.problem(f"'{key}' must be a list of phrases or patterns", owner, key)
            return ()
        out: list[Pattern] = []
        for index, item in enumerate(raw):
            line = line_of(raw, index)[0]
            if isinstance(item, str):
                out.extend(self._phrase(item, raw, index, line))
            elif isinstance(item, dict):
                out.extend(self._structured(item, raw, index, line))
            else:
                self.problem(f"'{key}' item must be a phrase (text) or a mapping with phrase, "
                             f"phrases, tokens or dependency", raw, index)
        return tuple(out)

    def _phrase(self, text: str, container: Any, index: Any, line: int | None) -> list[Pattern]:
        if not text.strip():
            self.problem("empty phrase", container, index)
            return []
        return [Pattern("phrase", text.strip(), line)]

    def _structured(self, item: dict, container: Any, index: int, line: int | None) -> list[Pattern]:
        known = ("phrase", "phrases", "tokens", "dependency")
        unknown = [k for k in item if k not in known]
        for k in unknown:
            self.problem(f"unknown pattern key {k!r}{_did_you_mean(k, known)}; use phrase, phrases, "
                         "tokens or dependency", item, k)
        out: list[Pattern] = []
        if "phrase" in item:
            out.extend(self._phrase(str(item["phrase"]), item, "phrase", line))
        if "phrases" in item:
            phrases = item["phrases"]
            if not isinstance(phrases, list):
                self.problem("'phrases' must be a list", item, "phrases")
            else:
                for i, text in enumerate(phrases):
                    out.extend(self._phrase(str(text), phrases, i, line_of(phrases, i)[0]))
        if "tokens" in item:
            out.extend(self._tokens(item, line))
        if "dependency" in item:
            out.extend(self._dependency(item, line))
        if not item:
            self.problem("pattern mapping is empty", container, index)
        return out

    def _tokens(self, item: dict, line: int | None) -> list[Pattern]:
        tokens = item["tokens"]
        if not isinstance(tokens, list) or not tokens or not all(isinstance(t, dict) for t in tokens):
            self.problem("'tokens' must be a non-empty list of token mappings, e.g. "
                         "[{LOWER: sorry}, {LOWER: for}]", item, "tokens")
            return []
        if not self._regexes_ok(tokens, item, "tokens"):
            return []
        tokens = _text_values(_plain(tokens))
        for token in tokens:
            m = re.match(r"^\{(\d*)(?:,(\d*))?\}$", str(token.get("OP", "")))
            if m and m.group(2) is not None and (m.group(2) == "" or int(m.group(2)) > MAX_REPEAT):
                self.problem(f"OP {token['OP']!r} repeats a token up to {m.group(2) or 'unlimited'} times; keep bounded "
                             f"repeats at most {MAX_REPEAT} (long optional runs make matching explode)",
                             item, "tokens")
                return []
        reason = _matcher_error(tokens)
        if reason:
            self.problem(f"bad token pattern: {reason}", item, "tokens")
            return []
        return [Pattern("tokens", _plain(tokens), line)]

    def _dependency(self, item: dict, line: int | None) -> list[Pattern]:
        dep = item["dependency"]
        if not isinstance(dep, list) or not dep or not all(isinstance(t, dict) for t in dep):
            self.problem("'dependency' must be a non-empty list of DependencyMatcher nodes "
                         "(RIGHT_ID, RIGHT_ATTRS, and LEFT_ID/REL_OP after the first)", item, "dependency")
            return []
        if not self._regexes_ok(dep, item, "dependency"):
            return []
        reason = _dependency_error(dep)
        if reason:
            self.problem(f"bad dependency pattern: {reason}", item, "dependency")
            return []
        return [Pattern("dependency", _plain(dep), line)]

    def _regexes_ok(self, value: Any, owner: Any, key: str) -> bool:
        ok = True
        for regex in iter_regexes(value):
            reason = check_regex(regex)
            if reason:
                self.problem(reason, owner, key)
                ok = False
        return ok

    # -- one rule ---------------------------------------------------------------------------
    def rule(self, raw: Any, defaults: dict, container: Any, index: int) -> Rule | None:
        if not isinstance(raw, dict):
            self.problem("each rule must be a mapping with at least id, category and message",
                         container, index)
            return None
        merged = LineDict({**defaults, **raw})
        merged.line, merged.column = line_of(container, index)
        merged.key_lines = {**getattr(defaults, "key_lines", {}), **getattr(raw, "key_lines", {})}
        before = len(self.problems)
        for key in raw:
            if key not in RULE_KEYS:
                self.problem(f"unknown key {key!r}{_did_you_mean(key, RULE_KEYS)}", raw, key)
        rule_id = merged.get("id")
        if not isinstance(rule_id, str) or not _ID.match(rule_id):
            self.problem(f"rule id {rule_id!r} must be lower-case dotted words, e.g. apology.sincere",
                         raw, "id" if "id" in raw else None)
            rule_id = str(rule_id)
        category = merged.get("category")
        if not isinstance(category, str) or not category:
            self.problem("missing 'category' (a behaviour such as apology, blame, greeting)", raw)
            category = ""
        polarity = merged.get("polarity", CATEGORIES.get(category))
        if polarity not in ("credit", "deduction"):
            self.problem(f"'polarity' must be credit or deduction (required for the user-defined "
                         f"category {category!r})", merged, "polarity")
        severity = merged.get("severity", "minor")
        if severity not in SEVERITIES:
            self.problem(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}"
                         f"{_did_you_mean(str(severity), SEVERITIES)}", merged, "severity")
        speaker = merged.get("speaker", "customer" if category in CUSTOMER_CONTEXT else "agent")
        if speaker not in SPEAKERS:
            self.problem(f"speaker {speaker!r} is not one of agent, customer, any", merged, "speaker")
        kind = merged.get("kind", "match")
        if kind not in KINDS:
            self.problem(f"kind {kind!r} is not one of {', '.join(KINDS)}{_did_you_mean(str(kind), KINDS)}",
                         merged, "kind")
        message = merged.get("message")
        if not isinstance(message, str) or not message.strip():
            self.problem("missing 'message' (what the trainer reads when the rule fires)", raw)
        patterns = self.patterns(merged.get("patterns"), merged, "patterns")
        metric = self._metric(merged) if kind == "metric" else ()
        detector, params = self._detector(merged)
        if kind != "metric" and "patterns" not in merged and "detector" not in merged:
            self.problem("missing 'patterns' (phrases or token patterns to match)", raw)
        if "detector" in merged and "patterns" in merged:
            self.problem("a rule has either 'patterns' or 'detector', not both", merged, "detector")
        if kind == "metric" and "patterns" in merged:
            self.problem("a metric rule has 'when', not 'patterns'", merged, "patterns")
        rule = Rule(
            id=rule_id, category=category, polarity=polarity or "credit",
            severity=severity if severity in SEVERITIES else "minor",
            message=str(message or "").strip(), tip=str(merged.get("tip") or "").strip(),
            link=merged.get("link"), speaker=speaker if speaker in SPEAKERS else "agent",
            kind=kind if kind in KINDS else "match", patterns=patterns,
            unless=self.patterns(merged.get("unless"), merged, "unless"),
            negation=self._bool(merged, "negation", (polarity or "credit") == "credit"),
            quoted=self._bool(merged, "quoted", False),
            within=self._window(merged), after=self._after(merged),
            proximity=self._proximity(merged), metric=metric, detector=detector, params=params,
            suppresses=self._strings(merged, "suppresses"),
            examples_match=self._examples(merged, "match"),
            examples_no_match=self._examples(merged, "no_match"),
            source=self.path, line=merged.line,
            extra={"missing_message": str(merged.get("missing_message") or "").strip()},
        )
        if merged.get("enabled", True) is False:
            return None
        return rule if len(self.problems) == before else None

    def _detector(self, raw: dict) -> tuple[str | None, dict[str, float]]:
        name = raw.get("detector")
        if name is None:
            if "params" in raw:
                self.problem("'params' only applies to a rule with 'detector'", raw, "params")
            return None, {}
        if name not in DETECTORS:
            self.problem(f"unknown detector {name!r}{_did_you_mean(str(name), DETECTORS)}; choose one of "
                         f"{', '.join(DETECTORS)}", raw, "detector")
            return None, {}
        params = dict(DETECTORS[name])
        given = raw.get("params") or {}
        if not isinstance(given, dict):
            self.problem("'params' must be a mapping", raw, "params")
            return name, params
        for key, value in given.items():
            if key not in params:
                self.problem(f"unknown parameter {key!r} for detector {name!r}"
                             f"{_did_you_mean(key, params)}", given, key)
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                self.problem(f"parameter {key!r} must be a number", given, key)
            else:
                params[key] = float(value)
        return name, params

    def _example_turns(self, raw: list, container: Any, index: int) -> tuple:
        turns = tuple(_example_turn(t) for t in raw)
        if not turns or any(t is None for t in turns):
            self.problem("an example call's turns each need speaker (agent, customer, other) and text, "
                         "with optional numeric start/end seconds", container, index)
            return ()
        return turns

    def _bool(self, raw: dict, key: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"'{key}' must be true or false", raw, key)
            return default
        return value

    def _strings(self, raw: dict, key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"'{key}' must be a list of category names", raw, key)
            return ()
        return tuple(value)

    def _window(self, raw: dict) -> Window | None:
        value = raw.get("within")
        if value is None:
            return None
        if not isinstance(value, dict) or len(value) != 1:
            self.problem("'within' takes one of first_turns, last_turns, first_percent, last_percent, "
                         "e.g. within: {first_turns: 2}", raw, "within")
            return None
        [(key, number)] = value.items()
        if key not in WINDOW_KEYS:
            self.problem(f"unknown window {key!r}{_did_you_mean(key, WINDOW_KEYS)}", value, key)
            return None
        limit = 100 if key.endswith("percent") else 10_000
        if not isinstance(number, (int, float)) or isinstance(number, bool) or not 0 < number <= limit:
            self.problem(f"'{key}' must be a number above 0 (at most {limit})", value, key)
            return None
        return Window(**{key: number})

    def _after(self, raw: dict) -> After | None:
        value = raw.get("after")
        if value is None:
            return None
        if isinstance(value, str):
            return After(value)
        if not isinstance(value, dict):
            self.problem("'after' must be a rule id or category, or {category: X, turns: N}", raw, "after")
            return None
        ref = value.get("category") or value.get("rule")
        turns = value.get("turns", 3)
        for key in value:
            if key not in ("category", "rule", "turns"):
                self.problem(f"unknown key {key!r} in 'after'{_did_you_mean(key, ('category', 'rule', 'turns'))}",
                             value, key)
        if not isinstance(ref, str) or not isinstance(turns, int) or turns < 1:
            self.problem("'after' needs category (or rule) and a positive whole number of turns", raw, "after")
            return None
        return After(ref, turns)

    def _proximity(self, raw: dict) -> Proximity | None:
        value = raw.get("proximity")
        if value is None:
            return None
        if not isinstance(value, dict) or "patterns" not in value:
            self.problem("'proximity' needs patterns and distance, e.g. "
                         "proximity: {patterns: [refund], distance: 6}", raw, "proximity")
            return None
        distance = value.get("distance", 8)
        if not isinstance(distance, int) or distance < 1:
            self.problem("'distance' must be a positive whole number of tokens", value, "distance")
            return None
        return Proximity(self.patterns(value["patterns"], value, "patterns"), distance)

    def _metric(self, raw: dict) -> tuple[Metric, ...]:
        when = raw.get("when")
        parts = re.split(r"\s+and\s+", when.strip()) if isinstance(when, str) else []
        matches = [_WHEN.match(p) for p in parts]
        if not parts or not all(matches):
            self.problem("a metric rule needs 'when: NAME OP NUMBER' (conditions may be joined with 'and'), "
                         "e.g. when: count.apology > 4", raw, "when" if "when" in raw else None)
            return ()
        out = []
        for m in matches:
            assert m is not None
            name = m.group(1)
            if not name.startswith("count.") and name not in METRIC_NAMES:
                self.problem(f"unknown metric {name!r}{_did_you_mean(name, METRIC_NAMES)}; metrics are "
                             f"count.<category>, count.rule.<id>, {', '.join(METRIC_NAMES)}", raw, "when")
                return ()
            out.append(Metric(name, m.group(2), float(m.group(3))))
        return tuple(out)

    def _examples(self, raw: dict, which: str) -> tuple[Example, ...]:
        examples = raw.get("examples")
        if examples is None:
            return ()
        if not isinstance(examples, dict):
            self.problem("'examples' must have match: [...] and/or no_match: [...]", raw, "examples")
            return ()
        for key in examples:
            if key not in ("match", "no_match"):
                self.problem(f"unknown key {key!r} in examples{_did_you_mean(key, ('match', 'no_match'))}",
                             examples, key)
        items = examples.get(which) or []
        if not isinstance(items, list):
            self.problem(f"examples.{which} must be a list", examples, which)
            return ()
        out = []
        for i, item in enumerate(items):
            line = line_of(items, i)[0]
            if isinstance(item, str):
                out.append(Example(item, None, line))
            elif isinstance(item, dict) and isinstance(item.get("turns"), list):
                turns = self._example_turns(item["turns"], items, i)
                if turns:
                    out.append(Example(turns[-1][1], None, line, turns))
            elif isinstance(item, dict) and isinstance(item.get("agent", item.get("text")), str):
                text = item.get("agent", item.get("text"))
                customer = item.get("customer")
                out.append(Example(text, customer if isinstance(customer, str) else None, line))
            else:
                self.problem("an example is a text, {customer: ..., agent: ...}, or a whole call "
                             "{turns: [{speaker, text, start?, end?}, ...]}", items, i)
        return tuple(out)


_TEXT_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"})


def _text_values(tokens: list) -> list:
    """YAML reads an unquoted 5 or 3.0 as a number; text attributes want the word "5"."""
    def fix(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: (fix(v) if k in ("IN", "NOT_IN", "==", "!=") else v) for k, v in value.items()}
        return value
    return [{k: (fix(v) if k in _TEXT_ATTRS else v) for k, v in token.items()} for token in tokens]


def _example_turn(raw: Any) -> tuple[str, str, float | None, float | None] | None:
    if not isinstance(raw, dict) or raw.get("speaker") not in ("agent", "customer", "other") \
            or not isinstance(raw.get("text"), str):
        return None
    times = [raw.get("start"), raw.get("end")]
    if not all(t is None or (isinstance(t, (int, float)) and not isinstance(t, bool)) for t in times):
        return None
    return (raw["speaker"], raw["text"], times[0], times[1])


def _plain(value: Any) -> Any:
    """LineDict/LineList -> plain dict/list (spaCy copies patterns; keep them simple values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _matcher_error(tokens: list) -> str | None:
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab
    try:
        Matcher(Vocab(), validate=True).add("check", [_plain(tokens)])
    except Exception as exc:  # spaCy raises ValueError/MatchPatternError with its own text
        return _spacy_reason(exc)
    return None


def _spacy_reason(exc: Exception) -> str:
    """spaCy's pattern errors, minus its internal rule name ("for matcher rule 'check'")."""
    text = " ".join(str(exc).split()).replace(" for matcher rule 'check'", "")
    return text.replace("Pattern 0: - [pattern -> ", "[").replace("Extra inputs are not permitted",
                                                                  "is not a token attribute")[:400]


def _dependency_error(nodes: list) -> str | None:
    from spacy.matcher import DependencyMatcher
    from spacy.vocab import Vocab
    try:
        DependencyMatcher(Vocab(), validate=True).add("check", [_plain(nodes)])
    except Exception as exc:
        return _spacy_reason(exc)
    return None


def read_rule_file(path: Path, problems: list[ConfigError], cache: "RuleCache | None" = None) -> list[Rule]:
    """Read one rule file; problems are appended, valid rules returned. With a cache, a file
    read before by the same code comes from it, and a file with no problem goes into it."""
    if cache is None:
        return _read_rule_file(path, problems)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return _read_rule_file(path, problems)  # the full read words the error
    key = cache.key(str(path), data)
    rules = cache.get(key)
    if rules is None:
        found: list[ConfigError] = []
        rules = _read_rule_file(path, found, text)
        if not found:
            cache.put(key, rules)
        problems.extend(found)
    return rules


def _read_rule_file(path: Path, problems: list[ConfigError], text: str | None = None) -> list[Rule]:
    reader = _Reader(str(path))
    try:
        data = load_yaml(path, text)
    except ConfigError as exc:
        problems.append(exc)
        return []
    if data is None:
        return []
    defaults: dict = {}
    if isinstance(data, dict):
        for key in data:
            if key not in FILE_KEYS:
                reader.problem(f"unknown top-level key {key!r}{_did_you_mean(key, FILE_KEYS)}; a rule "
                               "file has rules: [...] and optional defaults: {...}", data, key)
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            reader.problem("'defaults' must be a mapping", data, "defaults")
            defaults = {}
        items = data.get("rules")
        if items is None:
            reader.problem("no 'rules:' list in this file", data)
            items = []
    else:
        items = data
    if not isinstance(items, list):
        reader.problem("'rules' must be a list of rules", data)
        items = []
    rules = [r for i, raw in enumerate(items) if (r := reader.rule(raw, defaults, items, i))]
    problems.extend(reader.problems)
    return rules


def rule_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise ConfigError("rules folder not found", str(folder))
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")
                  and p.name not in ("scorecard.yaml", "scorecard.yml") and not p.name.startswith("."))


def load_rules(folders: Iterable[Path], cache: "RuleCache | None" = None) -> list[Rule]:
    """Load rules from folders in order (later ids override earlier), then cross-check them.
    ``cache``: a ``RuleCache`` of files that loaded cleanly before (see rules/cache.py)."""
    problems: list[ConfigError] = []
    by_id: dict[str, Rule] = {}
    for folder in folders:
        seen_here: dict[str, Rule] = {}
        for path in rule_files(Path(folder)):
            for rule in read_rule_file(path, problems, cache):
                if rule.id in seen_here:
                    first = seen_here[rule.id]
                    problems.append(ConfigError(f"duplicate rule id {rule.id!r} (first defined at "
                                                f"{first.location})", rule.source, rule.line))
                    continue
                seen_here[rule.id] = rule
                by_id[rule.id] = rule
    rules = list(by_id.values())
    problems.extend(cross_check(rules))
    if problems:
        raise RuleErrors(problems)
    return rules


def cross_check(rules: list[Rule]) -> list[ConfigError]:
    """Checks that need every rule: references by ``after`` exist and do not form a cycle."""
    problems = []
    ids = {r.id for r in rules}
    categories = {r.category for r in rules} | set(CATEGORIES)
    for rule in rules:
        if rule.after and rule.after.ref not in ids and rule.after.ref not in categories:
            hint = _did_you_mean(rule.after.ref, ids | categories)
            problems.append(ConfigError(f"'after' refers to {rule.after.ref!r}, which is neither a rule id "
                                        f"nor a category{hint}", rule.source, rule.line))
        for category in rule.suppresses:
            if category not in categories:
                problems.append(ConfigError(f"'suppresses' names unknown category {category!r}"
                                            f"{_did_you_mean(category, categories)}", rule.source, rule.line))
    try:
        after_order(rules)
    except ConfigError as exc:
        problems.append(exc)
    return problems


def after_order(rules: list[Rule]) -> list[list[Rule]]:
    """Group rules into stages so that every ``after`` reference is computed in an earlier stage."""
    remaining = list(rules)
    stages: list[list[Rule]] = []
    def ready(rule: Rule) -> bool:
        # ready when nothing it refers to is still pending (a rule never waits for itself:
        # "thanks for your patience" after another hold-etiquette rule fired is fine)
        return rule.after is None or not any(
            other is not rule and rule.after.ref in (other.id, other.category) for other in remaining)

    while remaining:
        stage = [r for r in remaining if ready(r)]
        if not stage:
            cycle = ", ".join(sorted(r.id for r in remaining))
            raise ConfigError(f"'after' references form a cycle among: {cycle}", remaining[0].source,
                              remaining[0].line)
        stages.append(stage)
        staged = {id(r) for r in stage}  # by identity: Rule equality compares every field
        remaining = [r for r in remaining if id(r) not in staged]
    return stages
