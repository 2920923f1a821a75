"""Compiling rules to spaCy's own matchers, once per process.

Every phrase of every rule goes into one ``PhraseMatcher`` on LOWER; token patterns into one
``Matcher``; dependency patterns into one ``DependencyMatcher`` (only when the pipeline has a
parser). A match key says which rule and which part of it (main pattern, ``unless`` or
``proximity``) matched, so one pass of each matcher over a Doc serves every rule.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Iterable

from .model import Pattern, Rule

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

MAIN, UNLESS, NEAR = "main", "unless", "near"


def rules_hash(rules: Iterable[Rule]) -> str:
    """A stable hash of rule content (for caches and reproducible outputs)."""
    payload = [{k: v for k, v in asdict(r).items() if k not in ("source", "line")} for r in rules]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:16]


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
        self._tokens = Matcher(vocab)
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
                token_patterns.append(pattern.value)
            else:
                dep_patterns.append(pattern.value)
        if token_patterns:
            self._tokens.add(key, token_patterns)
            self.has_tokens = True
        if dep_patterns:
            if self.parser:
                self._deps.add(key, dep_patterns)
                self.has_deps = True
            elif rule.id not in self.skipped_dependency:
                self.skipped_dependency.append(rule.id)

    def match(self, doc: "Doc") -> dict[int, RuleMatches]:
        """Run each matcher once over the Doc; group the spans by rule index and part."""
        found: dict[int, RuleMatches] = {}
        hits = list(self._phrases(doc))
        if self.has_tokens:
            hits.extend(self._tokens(doc))
        for key, start, end in hits:
            index, part = self._key[key]
            getattr(found.setdefault(index, RuleMatches()), part).append((start, end))
        if self.has_deps and doc.has_annotation("DEP"):
            for key, token_ids in self._deps(doc):
                index, part = self._key[key]
                getattr(found.setdefault(index, RuleMatches()), part).append(
                    (min(token_ids), max(token_ids) + 1))
        return found
