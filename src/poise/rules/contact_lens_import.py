"""Importing Amazon Connect Contact Lens rules as poise rule files.

A Contact Lens rule is JSON whose ``Function`` field is a JSON string in the Contact Lens rules
language: ``AND``/``OR`` over conditions, each ``CONTAINS_ANY`` list of phrases (``ExactMatch``:
plain sentences; ``PatternMatch``: sequences of ``PLAIN`` text, ``LIST`` alternatives and one
``PROXIMITY``), filtered by ``ParticipantRole``, optionally negated; or conditions on sentiment,
interruptions and non-talk time.

Each input becomes one poise YAML file (one or more rules) that ``poise rules validate`` accepts:

- id ``contact-lens.<slug of the rule name>`` (``.<suffix>`` for the second and later rules);
- category: a poise behaviour when the rule name says so (``CATEGORY_KEYWORDS``), else the
  user-defined ``contact-lens-<slug>`` with polarity ``credit`` and severity ``info``;
- speaker from ``ParticipantRole`` (AGENT -> agent, CUSTOMER -> customer, ANY/both/absent -> any);
- ``PLAIN`` phrases -> poise phrases; words with ``*`` -> token patterns (``refund*`` ->
  ``{LOWER: {REGEX: "^refund"}}``, a lone ``*`` -> one word ``{IS_ALPHA: true}``);
  ``A ~N~ B`` (``PROXIMITY``) -> a rule on A with ``proximity: {patterns: B, distance: N}``;
- ``Negate: true`` -> ``kind: required`` (the behaviour must appear; its absence is a deduction);
- one ``match`` example per rule generated from its first pattern, checked to fire; ``no_match``
  examples are left to a human.

Whatever has no poise equivalent (sentiment, interruptions, non-talk time, time windows in
seconds, semantic matching, the AND of several conditions...) is listed per file as skipped with
the reason, in the result and as comments in the YAML; nothing is dropped silently.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from ..errors import ConfigError, UsageError
from .model import CATEGORIES

#: Keywords in a rule name (its slug words) -> poise behaviour, and the speaker it requires
#: (``None``: agent or any; "customer": customer only). First match wins.
CATEGORY_KEYWORDS: tuple[tuple[frozenset[str], str, str | None], ...] = (
    (frozenset({"apology", "apologies", "apologize", "apologise", "apologizing", "apologising"}),
     "apology", None),
    (frozenset({"empathy", "empathetic", "empathize", "empathise", "sympathy"}), "empathy", None),
    (frozenset({"disrespectful", "disrespect", "rude", "rudeness", "impolite"}), "rudeness", None),
    (frozenset({"greeting", "greetings"}), "greeting", None),
    (frozenset({"closure", "closing", "conclusion", "farewell"}), "closing", None),
    (frozenset({"escalation", "escalate", "escalated"}), "customer-frustration", "customer"),
    (frozenset({"dissatisfaction", "dissatisfied", "frustration", "frustrated"}),
     "customer-frustration", "customer"),
    (frozenset({"hold"}), "hold-etiquette", None),
    (frozenset({"identity", "verification", "verify", "authentication", "authenticate"}),
     "verification", None),
)
USER_POLARITY, USER_SEVERITY = "credit", "info"
MAX_EXPANSIONS = 500  # phrases one LIST product may expand to
EXAMPLE_CANDIDATES = 8  # texts tried, in order, for a rule's generated match example
ANY_WORD = "really"  # the word a lone `*` becomes in a generated example

_ROLES = {"AGENT": "agent", "CUSTOMER": "customer", "ANY": "any"}
_TIME_FILTERS = {"PostCallContactPeriodSeconds", "RealTimeCallContactPeriodSeconds"}
_CATEGORY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_EDGE_PUNCT = re.compile(r"^[\s.,!?;:]+|[\s.,!?;:]+$")
_INNER_PUNCT = re.compile(r"[.,!?;:](?=\s)")
_WORD_PUNCT = re.compile(r"^(.*?)([.,!?;:]*)$")
_QUOTES = re.compile(r"[\"\u201c\u201d]")
_REASONS = {
    "Sentiment": "sentiment conditions need Contact Lens sentiment scores; poise rules match words, "
                 "not sentiment",
    "Interruptions": "interruption counts need the call's speech timing; poise has no interruption "
                     "figure a rule can test",
    "NonTalkTime": "non-talk time is measured on the audio; poise has no non-talk-time figure a rule "
                   "can test",
    "SemanticMatch": "SemanticMatch matches by meaning (a Contact Lens model); poise matches words, "
                     "and these sentences would only match verbatim",
}


class ContactLensError(ConfigError):
    """An input that is not a readable Contact Lens rule (bad JSON, no Function...)."""


class ContactLensErrors(UsageError):
    """Several unreadable inputs; ``problems`` lists each (every message names its file)."""

    def __init__(self, problems: list[ContactLensError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Skipped:
    """A part of a Contact Lens rule that was not converted, and why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass
class Conversion:
    """One Contact Lens rule file converted: poise rule mappings plus what was skipped."""

    source: str
    name: str
    slug: str
    rules: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)  # rule id -> YAML comment lines
    candidates: dict[str, list[str]] = field(default_factory=dict)  # rule id -> example texts
    output: Path | None = None

    @property
    def converted(self) -> bool:
        return bool(self.rules)

    @property
    def file_name(self) -> str:
        return f"{self.slug}.yaml"

    def categories(self) -> list[str]:
        return list(dict.fromkeys(r["category"] for r in self.rules))

    def to_yaml(self) -> str:
        """The poise rule file, with the import report as comments."""
        lines = [f"# Imported from the Amazon Connect Contact Lens rule {self.name!r}",
                 f"# source: {self.source}",
                 "# Review the phrases, category, polarity and severity before relying on these rules.",
                 "# no_match examples must be written by a human: the importer does not invent hard",
                 "# negatives. Check with: poise rules validate DIR && poise rules test DIR"]
        if self.skipped:
            lines.append("#")
            lines.append("# Skipped (no poise equivalent):")
            lines.extend(f"#   - {s}" for s in self.skipped)
        if self.notes:
            lines.append("#")
            lines.append("# Notes:")
            lines.extend(f"#   - {n}" for n in self.notes)
        lines.append(_dump({"description": f"Imported from Contact Lens rule {self.name!r}"}).rstrip())
        lines.append("rules:")
        for rule in self.rules:
            for comment in self.comments.get(rule["id"], []):
                lines.append(f"  # {comment}")
            dumped = _dump([rule])
            lines.extend("  " + line for line in dumped.rstrip().splitlines())
        return "\n".join(lines) + "\n"


class _Flow(list):
    """A list written in YAML flow style (token patterns: one pattern per line)."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # never write &anchors / *aliases
        return True


_Dumper.add_representer(_Flow, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=True))


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000,
                     default_flow_style=False)


class _Unconvertible(Exception):
    """A phrase or pattern that poise cannot express; the message is the reason."""


# -- reading ---------------------------------------------------------------------------------
def read_rule_json(path: Path) -> dict:
    """The Contact Lens rule in ``path`` with ``Function`` parsed; ContactLensError if unreadable."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContactLensError("file not found", where) from None
    except IsADirectoryError:
        raise ContactLensError("is a folder, not a Contact Lens rule file", where) from None
    except UnicodeDecodeError:
        raise ContactLensError("not UTF-8 text (is it a Contact Lens rule JSON file?)", where) from None
    except OSError as exc:
        raise ContactLensError(f"cannot read: {exc.strerror or exc}", where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContactLensError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                               where) from None
    return parse_rule(data, where)


def parse_rule(data: Any, where: str = "<rule>") -> dict:
    """Check the outer shape of a Contact Lens rule and parse its ``Function`` string."""
    if isinstance(data, dict) and isinstance(data.get("Rule"), dict):  # DescribeRule output
        data = data["Rule"]
    if not isinstance(data, dict):
        raise ContactLensError("not a Contact Lens rule: expected a JSON object with Name and Function",
                               where)
    function = data.get("Function")
    if function is None:
        raise ContactLensError("not a Contact Lens rule: no 'Function' field", where)
    if isinstance(function, str):
        try:
            function = json.loads(function)
        except json.JSONDecodeError as exc:
            raise ContactLensError(f"'Function' is not valid JSON (column {exc.colno}: {exc.msg})",
                                   where) from None
    if not isinstance(function, dict) or not isinstance(function.get("RuleFunction"), dict):
        raise ContactLensError("'Function' has no 'RuleFunction' object", where)
    name = data.get("Name")
    if name is not None and not isinstance(name, str):
        raise ContactLensError("'Name' must be text", where)
    return {**data, "Function": function}


# -- names -----------------------------------------------------------------------------------
def slugify(text: str) -> str:
    """``Agent-Apology-Voice-PostCall`` -> ``agent-apology-voice-post-call``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _human(name: str) -> str:
    return re.sub(r"[-_]+", " ", name).strip()


def category_for(slug: str, speaker: str, forced: str | None = None) -> tuple[str, str, str, bool]:
    """(category, polarity, severity, is_poise_behaviour) for rules of ``speaker``."""
    if forced:
        known = forced in CATEGORIES
        return (forced, CATEGORIES[forced] if known else USER_POLARITY,
                "minor" if known else USER_SEVERITY, known)
    words = set(slug.split("-"))
    for keywords, category, needs in CATEGORY_KEYWORDS:
        if not words & keywords:
            continue
        if needs == "customer" and speaker != "customer":
            continue
        if needs is None and speaker == "customer":
            continue
        return category, CATEGORIES[category], "minor", True
    return f"contact-lens-{slug}", USER_POLARITY, USER_SEVERITY, False


# -- phrases and patterns --------------------------------------------------------------------
@lru_cache(maxsize=1)
def _tokenizer():
    import spacy
    return spacy.blank("en").tokenizer


def clean_phrase(text: str) -> str:
    """Drop quotes and the punctuation around the phrase (a phrase match does not need it),
    squeeze spaces. Punctuation inside (``I'm not happy, I need``) is kept for ``to_pattern``."""
    text = " ".join(_QUOTES.sub(" ", text).split())
    return _EDGE_PUNCT.sub("", text)


def _wildcard_token(word: str) -> dict:
    """One token pattern for a word with ``*``: a lone ``*`` is any one word; otherwise the
    ``*`` stands for any letters (``refund*`` -> ``^refund``, ``*able`` -> ``able$``)."""
    word = re.sub(r"\*+", "*", word)
    stem = word.replace("*", "")
    if not stem:
        return {"IS_ALPHA": True}
    if len(_tokenizer()(stem)) > 1:
        raise _Unconvertible(f"the wildcard word {word!r} is split into several tokens by the "
                             "tokenizer, so one token pattern cannot match it")
    inner = r"\w*".join(re.escape(part.lower()) for part in word.strip("*").split("*"))
    return {"LOWER": {"REGEX": ("" if word.startswith("*") else "^") + inner
                      + ("" if word.endswith("*") else "$")}}


def to_pattern(text: str) -> tuple[Any, str]:
    """(poise pattern, example text) for one Contact Lens phrase: the phrase itself, or a
    ``{tokens: [...]}`` pattern when it has wildcards or punctuation inside (which becomes an
    optional punctuation token, so ``I'm not happy, I need`` matches with or without the comma)."""
    phrase = clean_phrase(text)
    if not phrase.replace("*", "").strip():
        if "*" in phrase:
            raise _Unconvertible(f"{text!r} is only a wildcard; it would match every word")
        raise _Unconvertible("empty phrase")
    if "*" not in phrase and not _INNER_PUNCT.search(phrase):
        return phrase, phrase
    tokens: list[dict] = []
    example: list[str] = []
    for word in phrase.split():
        core, punct = _WORD_PUNCT.match(word).groups()  # type: ignore[union-attr]
        if punct and "*" not in word and len(_tokenizer()(word)) == 1:  # an abbreviation: "Mr."
            core, punct = word, ""
        if "*" in core:
            tokens.append(_wildcard_token(core))
            example.append(ANY_WORD if core.strip("*") == "" else core.replace("*", ""))
        elif core:
            tokens.extend({"LOWER": t.lower_} for t in _tokenizer()(core))
            example.append(core)
        if punct:
            tokens.append({"IS_PUNCT": True, "OP": "?"})
            example[-1:] = [(example[-1] if example else "") + punct]
    return {"tokens": _Flow(tokens)}, " ".join(example)


def _expand(parts: list[Any], what: str) -> list[str]:
    """Concatenate PLAIN texts and LIST alternatives of one segment into every phrase."""
    choices: list[list[str]] = []
    size = 1
    for part in parts:
        if not isinstance(part, dict):
            raise _Unconvertible(f"{what} has an element that is not an object: {part!r}")
        kind, value = part.get("Type"), part.get("Value")
        if kind == "PLAIN" and isinstance(value, str):
            choices.append([value])
        elif kind == "LIST" and isinstance(value, list):
            items = []
            for item in value:
                if not (isinstance(item, dict) and item.get("Type") == "PLAIN" and isinstance(item.get("Value"), str)):
                    raise _Unconvertible(f"{what} has a LIST item that is not PLAIN text: {item!r}")
                items.append(item["Value"])
            choices.append(items)
            size *= max(1, len(items))
        else:
            raise _Unconvertible(f"{what} has an element of type {kind!r}, which poise cannot convert")
        if size > MAX_EXPANSIONS:
            raise _Unconvertible(f"{what} expands to more than {MAX_EXPANSIONS} phrases")
    phrases = [" ".join("".join(combo).split()) for combo in itertools.product(*choices)]
    return [p for p in dict.fromkeys(phrases) if p]


def _patterns(phrases: Iterable[str], where: str, skipped: list[Skipped]) -> list[tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for text in phrases:
        try:
            pattern, example = to_pattern(text)
        except _Unconvertible as exc:
            skipped.append(Skipped(f"{where} {text!r}", str(exc)))
            continue
        out.setdefault(json.dumps(pattern, sort_keys=True).lower(), (pattern, example))
    return list(out.values())


# -- the rule tree ---------------------------------------------------------------------------
@dataclass
class _Piece:
    """Something convertible from one condition: plain patterns or a proximity pair."""

    speaker: str
    negate: bool
    label: str
    patterns: list[tuple[Any, str]]
    near: list[tuple[Any, str]] | None = None
    distance: int = 0
    comments: list[str] = field(default_factory=list)


def _short(comparison: Any) -> str:
    parts = str(comparison).split(".")
    return parts[-2] if len(parts) >= 2 else str(comparison)


def _walk(node: Any, path: str, pieces: list[_Piece], skipped: list[Skipped], notes: list[str]) -> None:
    if not isinstance(node, dict):
        skipped.append(Skipped(path, f"expected a condition object, found {type(node).__name__}"))
        return
    operator = node.get("Operator")
    if operator in ("AND", "OR"):
        operands = node.get("Operands")
        if not isinstance(operands, list):
            skipped.append(Skipped(f"{path} {operator}", "has no list of Operands"))
            return
        if node.get("Negate") is True:
            skipped.append(Skipped(f"negated {operator} group at {path}",
                                   "poise has no negation of a combination of conditions"))
            return
        converted = 0
        for i, operand in enumerate(operands):
            before = len(pieces)
            _walk(operand, f"{path}.{i + 1}", pieces, skipped, notes)
            converted += len(pieces) > before
        if operator == "AND" and converted > 1:
            skipped.append(Skipped(
                f"AND of {len(operands)} conditions at {path}",
                f"poise rules fire independently; the {converted} converted conditions became "
                "separate rules, so the import fires when any one of them matches (looser than "
                "the original)"))
        return
    comparison = node.get("ComparisonValue")
    short = _short(comparison)
    what = f"{operator} on {short} ({path})"
    if operator != "CONTAINS_ANY":
        reason = _REASONS.get(short) or f"operator {operator!r} on {comparison} has no poise equivalent"
        skipped.append(Skipped(what, reason))
        return
    if short not in ("ExactMatch", "PatternMatch"):
        reason = _REASONS.get(short) or f"matching on {comparison} has no poise equivalent"
        count = len(node["Operands"]) if isinstance(node.get("Operands"), list) else 0
        skipped.append(Skipped(f"{short} condition with {count} phrase(s) ({path})", reason))
        return
    if "RealTimeCall" in str(comparison):
        note = "a real-time Contact Lens condition became a post-call poise rule"
        if note not in notes:
            notes.append(note)
    speaker, comments = _filters(node.get("FilterClause"), what, skipped, notes)
    if speaker is None:
        return
    negate = node.get("Negate") is True
    operands = node.get("Operands")
    if not isinstance(operands, list):
        skipped.append(Skipped(what, "has no list of Operands"))
        return
    exact: list[str] = []
    for i, operand in enumerate(operands):
        where = f"{short} phrase {i + 1} ({path})"
        if isinstance(operand, str):
            exact.append(operand)
        elif isinstance(operand, list):
            _pattern_operand(operand, where, speaker, negate, comments, pieces, skipped, exact)
        else:
            skipped.append(Skipped(where, f"expected text or a pattern list, found {operand!r}"))
    if exact:
        found = _patterns(exact, f"{short} phrase", skipped)
        if found:
            pieces.append(_Piece(speaker, negate, f"{short} ({path})", found, comments=comments))


def _pattern_operand(elements: list, where: str, speaker: str, negate: bool, comments: list[str],
                     pieces: list[_Piece], skipped: list[Skipped], plain: list[str]) -> None:
    proximity = [i for i, e in enumerate(elements) if isinstance(e, dict) and e.get("Type") == "PROXIMITY"]
    try:
        if not proximity:
            plain.extend(_expand(elements, where))
            return
        if len(proximity) > 1:
            raise _Unconvertible(f"chains {len(proximity)} PROXIMITY operators; a poise rule has one "
                                 "proximity condition")
        cut = proximity[0]
        value = elements[cut].get("Value")
        value = value if isinstance(value, dict) else {}
        distance = value.get("Distance")
        if not isinstance(distance, int) or isinstance(distance, bool) or distance < 1:
            raise _Unconvertible(f"PROXIMITY has no positive whole Distance ({value!r})")
        if value.get("IsWithin") is False:
            raise _Unconvertible(f"'not within {distance} words' has no poise equivalent (proximity "
                                 "only requires a pattern nearby)")
        left = _expand(elements[:cut], where)
        right = _expand(elements[cut + 1:], where)
        if not left or not right:
            raise _Unconvertible("PROXIMITY needs phrases on both sides")
    except _Unconvertible as exc:
        skipped.append(Skipped(where, str(exc)))
        return
    main = _patterns(left, where, skipped)
    near = _patterns(right, where, skipped)
    if main and near:
        pieces.append(_Piece(speaker, negate, where, main, near, distance, comments))


def _filters(clause: Any, what: str, skipped: list[Skipped], notes: list[str]) -> tuple[str | None, list[str]]:
    """The speaker the condition applies to (None: condition skipped) and comments for its rule."""
    comments: list[str] = []
    if clause is None:
        return "any", comments
    filters = clause.get("Filters") if isinstance(clause, dict) else None
    if not isinstance(filters, list):
        skipped.append(Skipped(what, "its FilterClause has no list of Filters"))
        return None, comments
    roles: set[str] = set()
    for item in filters:
        kind = str(item.get("Type")) if isinstance(item, dict) else repr(item)
        data = item.get("Data") if isinstance(item, dict) else None
        if kind == "ParticipantRole":
            if not isinstance(data, str) or data not in _ROLES:
                skipped.append(Skipped(what, f"ParticipantRole {data!r} is not AGENT, CUSTOMER or ANY"))
                return None, comments
            roles.add(_ROLES[data])
        elif kind == "PatternMatchLanguageFilter":
            if str(data).upper() != "EN":
                note = f"language filter {data!r} ignored: poise matches the phrases as written"
                if note not in notes:
                    notes.append(note)
        elif kind in _TIME_FILTERS:
            window = ", ".join(f"{k.lower()} {v} s" for k, v in data.items()) if isinstance(data, dict) else data
            skipped.append(Skipped(f"time filter {kind} ({window}) on {what}",
                                   "poise windows count turns or a percentage of the call, not "
                                   "seconds; the rule now matches anywhere in the call (add "
                                   "within: {first_turns: N} or {last_turns: N} by hand)"))
            comments.append(f"Contact Lens limited this to {kind} {window}; not converted "
                            "(consider within: {first_turns: N} / {last_turns: N})")
        else:
            skipped.append(Skipped(f"filter {kind!r} on {what}", "has no poise equivalent; ignored"))
            comments.append(f"Contact Lens filter {kind!r} ({data!r}) was not converted")
    if len(roles) > 1:
        roles = {"any"}
        note = "a condition filtered on both AGENT and CUSTOMER became speaker: any"
        if note not in notes:
            notes.append(note)
    return (roles.pop() if roles else "any"), comments


# -- building poise rules --------------------------------------------------------------------
def convert_rule(data: Any, source: str = "<rule>", *, category: str | None = None,
                 slug: str | None = None) -> Conversion:
    """Convert one parsed Contact Lens rule (see ``parse_rule``) to poise rule mappings."""
    data = parse_rule(data, source)
    name = data.get("Name") or Path(source).stem
    slug = slug or slugify(name) or slugify(Path(source).stem) or "rule"
    conv = Conversion(source=source, name=name, slug=slug)
    pieces: list[_Piece] = []
    _walk(data["Function"]["RuleFunction"], "RuleFunction", pieces, conv.skipped, conv.notes)
    trigger = data.get("TriggerEventSource")
    note = "a real-time Contact Lens condition became a post-call poise rule"
    if isinstance(trigger, dict) and "RealTime" in str(trigger.get("EventSourceName")) \
            and note not in conv.notes:
        conv.notes.append(note)
    if data.get("Function", {}).get("Version") not in (None, "2022-11-25"):
        conv.notes.append(f"rules-language version {data['Function']['Version']!r} is newer than the "
                          "one this importer knows (2022-11-25); check the result closely")
    description = data.get("Description") if isinstance(data.get("Description"), str) else ""
    message = (description.strip() or _human(name)) + " (Contact Lens)"
    base = f"contact-lens.{slug}"
    tip = (f"Imported from the Contact Lens rule {name}; review its phrases, category and "
           "severity before relying on it.")

    groups: dict[tuple[str, bool], dict] = {}
    built: list[tuple[str, dict, list[str], list[str]]] = []  # suffix, rule, comments, examples
    for piece in pieces:
        cat, polarity, severity, known = category_for(slug, piece.speaker, category)
        kind = "match"
        if piece.negate:
            if polarity == "deduction":
                conv.skipped.append(Skipped(
                    f"negated condition {piece.label}",
                    f"Contact Lens flags calls WITHOUT these phrases; for the deduction behaviour "
                    f"{cat!r} that would credit an absence, which poise cannot express"))
                continue
            kind = "required"
        rule: dict[str, Any] = {"id": "", "category": cat, "polarity": polarity, "severity": severity,
                                "speaker": piece.speaker}
        if kind != "match":
            rule["kind"] = kind
        rule.update({"message": message, "tip": tip})
        if not known:
            rule["negation"] = False
        if piece.near is None:
            key = (piece.speaker, piece.negate)
            if key in groups:
                group = groups[key]
                seen = {json.dumps(p, sort_keys=True).lower() for p in group["rule"]["patterns"]}
                for pattern, example in piece.patterns:
                    if json.dumps(pattern, sort_keys=True).lower() not in seen:
                        group["rule"]["patterns"].append(pattern)
                        group["examples"].append(example)
                group["comments"].append(f"also from {piece.label}")
                group["comments"].extend(c for c in piece.comments if c not in group["comments"])
                continue
            rule["patterns"] = [p for p, _ in piece.patterns]
            suffix = piece.speaker + ("-absent" if piece.negate else "")
            group = {"rule": rule, "examples": [e for _, e in piece.patterns],
                     "comments": [f"from {piece.label}", *piece.comments]}
            groups[key] = group
            built.append((suffix, rule, group["comments"], group["examples"]))
        else:
            rule["patterns"] = [p for p, _ in piece.patterns]
            rule["proximity"] = {"patterns": [p for p, _ in piece.near], "distance": piece.distance}
            examples = [f"{m} {n}" for m, n in zip([e for _, e in piece.patterns][:EXAMPLE_CANDIDATES],
                                                  itertools.cycle([e for _, e in piece.near]))]
            comments = [f"from {piece.label}: any of the patterns within {piece.distance} tokens of "
                        "a proximity pattern", *piece.comments]
            built.append(("near", rule, comments, examples))
        if kind == "required":
            comments_for = built[-1][2]
            comments_for.append("Negate: Contact Lens flagged calls WITHOUT these phrases; as "
                                "kind: required, their absence is a deduction and each use a credit")
        if category:
            note = f"category {cat!r} set by --category (polarity {polarity}, severity {severity})"
        elif known:
            note = (f"{piece.speaker} rules: category {cat!r} (a poise behaviour) chosen from the "
                    f"name {name!r}; polarity {polarity}")
        else:
            note = (f"{piece.speaker} rules: no poise behaviour matches the name {name!r}; "
                    f"user-defined category {cat!r} (polarity {USER_POLARITY}, severity {USER_SEVERITY})")
        if note not in conv.notes:
            conv.notes.append(note)

    built.sort(key=lambda b: b[0] == "near")  # phrase rules first: the first gets the plain id
    used: set[str] = set()
    near_count = 0
    for index, (suffix, rule, comments, examples) in enumerate(built):
        if index == 0:
            rule_id = base
        else:
            if suffix == "near":
                near_count += 1
                suffix = f"near-{near_count}"
            rule_id, n = f"{base}.{suffix}", 2
            while rule_id in used:
                rule_id, n = f"{base}.{suffix}-{n}", n + 1
        used.add(rule_id)
        rule["id"] = rule_id
        if any(isinstance(p, dict) for p in [*rule["patterns"], *rule.get("proximity", {}).get("patterns", [])]):
            comments.append("token patterns: refund* -> {LOWER: {REGEX: ^refund}} (a word starting "
                            "with refund), a lone * -> any one word {IS_ALPHA: true}, inner "
                            "punctuation -> optional {IS_PUNCT: true, OP: '?'}")
        candidates = [_sentence(e) for e in examples[:EXAMPLE_CANDIDATES]]
        rule["examples"] = {"match": candidates[:1]}
        conv.rules.append(rule)
        conv.comments[rule_id] = comments
        conv.candidates[rule_id] = candidates
    if not conv.rules and not conv.skipped:
        conv.skipped.append(Skipped("RuleFunction", "has no condition poise can convert"))
    return conv


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip() + "."


# -- files -----------------------------------------------------------------------------------
def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders walked for ``*.json`` (sorted)."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise ContactLensErrors([ContactLensError("no .json files in this folder", str(path))])
            out.extend(found)
        else:
            out.append(path)
    return out


def convert_files(paths: Iterable[Path], *, category: str | None = None,
                  check_examples: bool = True) -> list[Conversion]:
    """Convert every file (folders are walked); raise ContactLensErrors naming each unreadable
    one. Rule ids are unique across the batch (a repeated name gets ``-2``...), and with
    ``check_examples`` the output is loaded with the poise loader and every generated example
    is run, replacing one that does not fire by the next candidate."""
    if category is not None and not _CATEGORY_NAME.match(category):
        raise UsageError(f"--category {category!r}: use lower-case words joined by hyphens, "
                         "e.g. apology or contact-lens-billing")
    files = expand_inputs(paths)
    problems: list[ContactLensError] = []
    parsed: list[tuple[Path, dict]] = []
    for path in files:
        try:
            parsed.append((path, read_rule_json(path)))
        except ContactLensError as exc:
            problems.append(exc)
    if problems:
        raise ContactLensErrors(problems)
    conversions: list[Conversion] = []
    slugs: dict[str, int] = {}
    for path, data in parsed:
        name = data.get("Name") or path.stem
        slug = slugify(name) or slugify(path.stem) or "rule"
        slugs[slug] = slugs.get(slug, 0) + 1
        unique = slug if slugs[slug] == 1 else f"{slug}-{slugs[slug]}"
        conv = convert_rule(data, str(path), category=category, slug=unique)
        if unique != slug:
            conv.notes.append(f"another input in this batch is also named {name!r}; this one uses "
                              f"ids contact-lens.{unique}...")
        conversions.append(conv)
    if check_examples:
        verify(conversions)
    return conversions


def verify(conversions: Sequence[Conversion]) -> None:
    """Load the rules with the poise loader (a failure here is an importer bug) and run their
    generated examples together; swap a failing example for the next candidate, and drop it
    (with a note) when none fires."""
    from ..detect import Detector
    from ..ruletest import run_examples
    from .loader import load_rules

    done = [c for c in conversions if c.converted]
    if not done:
        return
    by_id = {r["id"]: (c, r) for c in done for r in c.rules}
    tried = {rule_id: 0 for rule_id in by_id}
    nlp = _pipeline()
    for _ in range(EXAMPLE_CANDIDATES + 1):
        with tempfile.TemporaryDirectory() as tmp:
            for conv in done:
                Path(tmp, conv.file_name).write_text(conv.to_yaml(), encoding="utf-8")
            rules = load_rules([Path(tmp)])
        # both rule orders: an example must not pass only thanks to how a tie is broken
        failing = {r.rule.id for order in (rules, rules[::-1])
                   for r in run_examples(Detector(order, nlp=nlp)) if not r.passed}
        if not failing:
            return
        for rule_id in sorted(failing):
            conv, rule = by_id[rule_id]
            tried[rule_id] += 1
            candidates = conv.candidates[rule_id]
            if tried[rule_id] < len(candidates):
                rule["examples"] = {"match": [candidates[tried[rule_id]]]}
            else:
                rule.pop("examples", None)
                why = ("no generated example fires reliably (an overlapping match of another rule of "
                       "the same category is as long or longer); write a match example by hand")
                conv.notes.append(f"{rule_id}: {why}")
                conv.comments[rule_id].append(why)


@lru_cache(maxsize=1)
def _pipeline():
    from ..nlp import build_pipeline
    return build_pipeline(None, lemmas=False)


def write_conversions(conversions: Iterable[Conversion], out_dir: Path) -> list[Path]:
    """Write each converted rule file into ``out_dir`` (created); fully skipped inputs write nothing."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: output must be a folder, and this is a file")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    written = []
    for conv in conversions:
        if not conv.converted:
            continue
        target = out_dir / conv.file_name
        target.write_text(conv.to_yaml(), encoding="utf-8")
        conv.output = target
        written.append(target)
    return written


def summary(conversions: Sequence[Conversion]) -> dict[str, Any]:
    """Counts for the command's report, and each input's path relative to their common folder."""
    converted = [c for c in conversions if c.converted]
    user = sorted({r["category"] for c in converted for r in c.rules if r["category"] not in CATEGORIES})
    sources = [Path(c.source).resolve() for c in conversions]
    base = Path(os.path.commonpath([p.parent for p in sources])) if sources else Path()
    display = {c.source: str(p.relative_to(base)) for c, p in zip(conversions, sources)}
    return {"files": len(conversions), "converted": len(converted), "display": display,
            "rules": sum(len(c.rules) for c in converted),
            "skipped_files": [c for c in conversions if not c.converted],
            "partly_skipped": [c for c in converted if c.skipped],
            "user_categories": user}
