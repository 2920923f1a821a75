"""Compiling rules to spaCy's own matchers, once per process.

Every phrase of every rule goes into one ``PhraseMatcher`` on LOWER; token patterns into one
``Matcher``; dependency patterns into one ``DependencyMatcher`` (only when the pipeline has a
parser). A match key says which rule and which part of it (main pattern, ``unless`` or
``proximity``) matched, so one pass of each matcher over a Doc serves every rule.
"""

from __future__ import annotations

import hashlib
import re
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Iterable

from .model import Pattern, Rule
from .wordregex import WordString, compile_patterns, pattern_regex

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

MAIN, UNLESS, NEAR = "main", "unless", "near"


def rules_hash(rules: Iterable[Rule]) -> str:
    """A stable hash of rule content (for caches and reproducible outputs)."""
    payload = [{k: v for k, v in asdict(r).items() if k not in ("source", "line")} for r in rules]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:16]


#: A token pattern made only of literal words (LOWER: word or LOWER: {IN: [...]}, optionally
#: OP: "?") with at most this many spellings is compiled into the PhraseMatcher instead of the
#: Matcher: same matches, several times faster.
MAX_EXPANSION = 64


def expand_to_phrases(tokens: list[dict]) -> list[list[str]] | None:
    """All the word sequences a literal token pattern matches, or None if it is not literal."""
    options: list[list[str | None]] = []
    total = 1
    for token in tokens:
        if not set(token) <= {"LOWER", "OP"} or token.get("OP") not in (None, "?"):
            return None
        value = token.get("LOWER")
        if isinstance(value, str):
            words: list[str | None] = [value.lower()]
        elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
            words = [v.lower() for v in value["IN"]]
        else:
            return None
        if token.get("OP") == "?":
            words = words + [None]
        total *= len(words)
        if total > MAX_EXPANSION:
            return None
        options.append(words)
    from itertools import product
    sequences = [[w for w in combo if w is not None] for combo in product(*options)]
    return [seq for seq in sequences if seq]


def required_words(tokens: list[dict]) -> list[list[str]]:
    """For each token a match cannot do without (no OP, or OP "+") and whose LOWER/ORTH/TEXT
    is a literal or an IN list: the words it accepts. A Doc lacking any of them cannot match."""
    required = []
    for token in tokens:
        if token.get("OP") not in (None, "+"):
            continue
        for attr in ("LOWER", "ORTH", "TEXT"):
            value = token.get(attr)
            if isinstance(value, str):
                required.append([value.lower()])
                break
            if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                required.append(sorted({v.lower() for v in value["IN"]}))
                break
    return required


def uses_lemmas(rules: Iterable[Rule]) -> bool:
    rules = list(rules)
    if any(r.detector == "reflection" for r in rules):
        return True
    return "LEMMA" in json.dumps([[p.value for p in (*r.patterns, *r.unless) if p.kind != "phrase"]
                                  for r in rules])


@dataclass
class RuleMatches:
    """The spans (token start, end) one rule matched in one Doc, by part of the rule."""

    main: list[tuple[int, int]] = field(default_factory=list)
    unless: list[tuple[int, int]] = field(default_factory=list)
    near: list[tuple[int, int]] = field(default_factory=list)


class CompiledRules:
    """The rules and the three matchers built from them."""

    def __init__(self, rules: list[Rule], nlp: "Language", parser: bool) -> None:
        from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher

        self.rules = rules
        self.parser = parser
        self.hash = rules_hash(rules)
        vocab = nlp.vocab
        self._phrases = PhraseMatcher(vocab, attr="LOWER")
        self._tokens = Matcher(vocab)  # token patterns with no required literal word: every Doc
        # token patterns with required words: a key's Matcher runs only on a Doc that holds, for
        # one of its patterns, a word of every required token (checked on the Doc's set of
        # lower-case word ids, taken in one call); most turns hold none
        self._gated: list[tuple[int, list[list[frozenset[int]]], Matcher]] = []
        # token patterns that are word regular expressions: one Python regex per rule part
        self._regexes: list[tuple[int, list[list[frozenset[int]]], "re.Pattern[str]"]] = []
        self._deps = DependencyMatcher(vocab)
        self._key: dict[int, tuple[int, str]] = {}
        self.skipped_dependency: list[str] = []
        self.has_tokens = self.has_deps = False
        phrase_docs: dict[str, list] = defaultdict(list)
        for index, rule in enumerate(rules):
            parts = ((MAIN, rule.patterns), (UNLESS, rule.unless),
                     (NEAR, rule.proximity.patterns if rule.proximity else ()))
            for part, patterns in parts:
                self._add(index, rule, part, patterns, phrase_docs, nlp)
        for key, docs in phrase_docs.items():
            self._phrases.add(key, docs)

    def _add(self, index: int, rule: Rule, part: str, patterns: Iterable[Pattern],
             phrase_docs: dict[str, list], nlp: "Language") -> None:
        key = f"{index}|{part}"
        self._key[nlp.vocab.strings.add(key)] = (index, part)
        token_patterns, dep_patterns = [], []
        for pattern in patterns:
            if pattern.kind == "phrase":
                phrase_docs[key].append(nlp.make_doc(pattern.value))
            elif pattern.kind == "tokens":
                expanded = expand_to_phrases(pattern.value)
                if expanded is None:
                    token_patterns.append(pattern.value)
                else:
                    from spacy.tokens import Doc
                    phrase_docs[key].extend(Doc(nlp.vocab, words=words) for words in expanded)
            else:
                dep_patterns.append(pattern.value)
        if token_patterns:
            from spacy.matcher import Matcher
            as_regex = [p for p in token_patterns if pattern_regex(p) is not None]
            others = [p for p in token_patterns if pattern_regex(p) is None]
            key_id = nlp.vocab.strings[key]
            if as_regex:
                regex = compile_patterns(as_regex)
                self._regexes.append((key_id, self._gates(as_regex, nlp), regex))
            if others:
                gates = self._gates(others, nlp)
                if gates:
                    matcher = Matcher(nlp.vocab)
                    matcher.add(key, others)
                    self._gated.append((key_id, gates, matcher))
                else:
                    self._tokens.add(key, others)
                    self.has_tokens = True
        if dep_patterns:
            if self.parser:
                self._deps.add(key, dep_patterns)
                self.has_deps = True
            elif rule.id not in self.skipped_dependency:
                self.skipped_dependency.append(rule.id)

    @staticmethod
    def _gates(patterns: list, nlp: "Language") -> list[list[frozenset[int]]]:
        """Required-word gates for patterns ([] when one of them has no required word: always run)."""
        needs = [required_words(p) for p in patterns]
        if not all(needs):
            return []
        gates = [[frozenset(nlp.vocab.strings.add(w) for w in words) for words in need] for need in needs]
        # first element: every word that can open the door, for a quick C-level isdisjoint reject
        return [frozenset().union(*(min(gate, key=len) for gate in gates))] + gates  # type: ignore[list-item]

    def match(self, doc: "Doc") -> dict[int, RuleMatches]:
        """Run each matcher once over the Doc; group the spans by rule index and part."""
        found: dict[int, RuleMatches] = {}
        hits = list(self._phrases(doc))
        if self.has_tokens:
            hits.extend(self._tokens(doc))
        if self._gated or self._regexes:
            from spacy.attrs import LOWER, SENT_START
            array = doc.to_array([LOWER, SENT_START]).tolist()
            ids = [row[0] for row in array]
            present = set(ids)
            for _, gates, matcher in self._gated:
                if not gates[0].isdisjoint(present) and any(all(w & present for w in g) for g in gates[1:]):
                    hits.extend(matcher(doc))
            words = None
            for key, gates, regex in self._regexes:
                if gates and (gates[0].isdisjoint(present)
                              or not any(all(w & present for w in g) for g in gates[1:])):
                    continue
                if words is None:
                    strings = doc.vocab.strings
                    words = WordString([strings[i] for i in ids], [row[1] == 1 for row in array])
                hits.extend((key, s, e) for s, e in words.spans(regex))
        for key, start, end in hits:
            index, part = self._key[key]
            getattr(found.setdefault(index, RuleMatches()), part).append((start, end))
        if self.has_deps and doc.has_annotation("DEP"):
            for key, token_ids in self._deps(doc):
                index, part = self._key[key]
                getattr(found.setdefault(index, RuleMatches()), part).append(
                    (min(token_ids), max(token_ids) + 1))
        return found
