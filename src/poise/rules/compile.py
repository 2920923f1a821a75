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
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Iterable

from .model import Pattern, Rule
from .wordregex import WordString, first_words, pattern_regex, regex_source

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

MAIN, UNLESS, NEAR = "main", "unless", "near"
_GATE_ATTRS = ["LOWER", "SENT_START"]  # Doc.to_array takes attribute names


def rules_hash(rules: Iterable[Rule]) -> str:
    """A stable hash of rule content (for caches and reproducible outputs)."""
    payload = [{f.name: getattr(r, f.name) for f in fields(r) if f.name not in ("source", "line")} for r in rules]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=_plain).encode()).hexdigest()
    return digest[:16]


def _plain(value: Any) -> Any:
    """JSON for the values inside rules: nested dataclasses as dicts (what dataclasses.asdict
    gives, without its deep copies), anything else as its str."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return str(value)


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


def _commonness(words: list[str]) -> tuple[int, int]:
    """How often a required token's words turn up in speech, roughly: stop words and punctuation
    are everywhere, so a token made of them is a poor gate. Fewer common words, then fewer words."""
    from spacy.lang.en.stop_words import STOP_WORDS
    return sum(1 for w in words if w in STOP_WORDS or not w[:1].isalnum() or len(w) < 3), len(words)


class _Gates:
    """Which gated entries a Doc can match, from the set of its words, with set operations in C.

    A pattern's gate is the list of its required tokens (each a set of words, any of which will
    do: ``required_words``); an entry runs when one of its patterns has all of its required
    tokens present. Every distinct required token gets an id; a Doc's words give the ids of the
    tokens it satisfies (a lookup per distinct word); a pattern is then checked only when its
    rarest token (its door) is satisfied, with one ``issuperset`` call. Entries with a pattern
    that has no required token always run.
    """

    def __init__(self) -> None:
        self._token_ids: dict[frozenset[int], int] = {}
        self._word_tokens: dict[int, list[int]] = defaultdict(list)
        self._door_patterns: dict[int, list[tuple[int, frozenset[int]]]] = defaultdict(list)
        self.always: list[int] = []
        self._words: frozenset[int] | None = None
        self._doors: frozenset[int] = frozenset()

    def add(self, entry: int, needs: list[list[list[str]]], nlp: "Language") -> None:
        self._words = None
        if not all(needs):
            self.always.append(entry)
            return
        for need in needs:
            tids = []
            for words in sorted(need, key=_commonness):  # rarest first: the door
                token = frozenset(nlp.vocab.strings.add(w) for w in words)
                if token not in self._token_ids:
                    tid = self._token_ids[token] = len(self._token_ids)
                    for word in token:
                        self._word_tokens[word].append(tid)
                tids.append(self._token_ids[token])
            self._door_patterns[tids[0]].append((entry, frozenset(tids)))

    def open(self, word_ids: Iterable[int]) -> list[int]:
        """The entries to run on a Doc with these words, in entry order."""
        if self._words is None:  # frozen on first use, after every add()
            self._words, self._doors = frozenset(self._word_tokens), frozenset(self._door_patterns)
        satisfied: set[int] = set()
        word_tokens = self._word_tokens
        for word in self._words.intersection(word_ids):
            satisfied.update(word_tokens[word])
        entries = set(self.always)
        door_patterns = self._door_patterns
        for tid in self._doors.intersection(satisfied):
            for entry, tids in door_patterns[tid]:
                if entry not in entries and satisfied.issuperset(tids):
                    entries.add(entry)
        return sorted(entries)


def phrase_key(nlp: "Language", text: str) -> "list[int] | Doc":
    """What the PhraseMatcher (attr LOWER) is given for a phrase: the LOWER ids of its tokens.

    ``PhraseMatcher.add`` takes, besides Docs, the sequence of attribute ids a Doc would give
    (spaCy's own unpickling adds patterns that way); building ~6,000 Docs was half the time
    compiling the default packs takes. A phrase of plain letter words with single spaces between
    them, none of them a tokenizer special case ("dont", "gonna"), tokenizes to those words, so its
    ids are those of the lower-cased words; any other phrase goes through the tokenizer (tested:
    same ids)."""
    words = text.split(" ")
    special = nlp.tokenizer.rules
    if all(w.isalpha() and w not in special for w in words):  # (isalpha: not empty, no space)
        add = nlp.vocab.strings.add
        return [add(w.lower()) for w in words]
    return nlp.make_doc(text)


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
        # token patterns that need no parse, by rule part: a Matcher, or one word regex for the
        # patterns that are word regular expressions. Each runs on a Doc only when the Doc holds,
        # for one of its patterns, a word of every token the pattern cannot do without (see
        # _Gates); most turns hold none.
        # (match key, Matcher or word regex); a regex is compiled the first time a Doc opens its
        # gate (compiling them all costs more than scoring one call)
        self._gated: list[tuple[int, Any]] = []
        # per gated word regex: the LOWER ids its matches can start with (None: any word), so
        # it is tried only at those tokens (first_words)
        self._first: list[frozenset[int] | None] = []
        self._gates = _Gates()
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
                phrase_docs[key].append(phrase_key(nlp, pattern.value))
            elif pattern.kind == "tokens":
                expanded = expand_to_phrases(pattern.value)
                if expanded is None:
                    token_patterns.append(pattern.value)
                else:
                    add = nlp.vocab.strings.add
                    phrase_docs[key].extend([add(w) for w in words] for words in expanded)
            else:
                dep_patterns.append(pattern.value)
        if token_patterns:
            from spacy.matcher import Matcher
            bodies = [(p, pattern_regex(p)) for p in token_patterns]
            as_regex = [p for p, body in bodies if body is not None]
            others = [p for p, body in bodies if body is None]
            key_id = nlp.vocab.strings[key]
            if others and not all(required_words(p) for p in others):
                self._tokens.add(key, others)  # a pattern with no required word: every Doc
                self.has_tokens = True
                others = []
            for group, as_source in ((others, False), (as_regex, True)):
                if not group:
                    continue
                first: frozenset[int] | None = None
                if as_source:  # compiled on first use (see match)
                    matcher = regex_source([body for _, body in bodies if body is not None])
                    starts = [first_words(p) for p in group]
                    if all(w is not None for w in starts):
                        first = frozenset(nlp.vocab.strings.add(w) for ws in starts for w in ws)  # type: ignore[union-attr]
                else:
                    matcher = Matcher(nlp.vocab)
                    matcher.add(key, group)
                self._gates.add(len(self._gated), [required_words(p) for p in group], nlp)
                self._gated.append((key_id, matcher))
                self._first.append(first)
        if dep_patterns:
            if self.parser:
                self._deps.add(key, dep_patterns)
                self.has_deps = True
            elif rule.id not in self.skipped_dependency:
                self.skipped_dependency.append(rule.id)

    def match(self, doc: "Doc") -> dict[int, RuleMatches]:
        """Run each matcher once over the Doc; group the spans by rule index and part.

        Gated ``unless`` and ``proximity`` patterns run only for rules whose main pattern matched
        (they only ever qualify a main match; most turns match no rule)."""
        found: dict[int, RuleMatches] = {}
        hits = list(self._phrases(doc))
        if self.has_tokens:
            hits.extend(self._tokens(doc))
        later: list[int] = []
        words: WordString | None = None
        if self._gated:
            array = doc.to_array(_GATE_ATTRS).tolist()
            ids = [row[0] for row in array]
            for n in self._gates.open(ids):
                if self._key[self._gated[n][0]][1] != MAIN:
                    later.append(n)
                    continue
                words = self._run_gated(n, doc, hits, words, array, ids)
        for key, start, end in hits:
            index, part = self._key[key]
            getattr(found.setdefault(index, RuleMatches()), part).append((start, end))
        if self.has_deps and doc.has_annotation("DEP"):
            for key, token_ids in self._deps(doc):
                index, part = self._key[key]
                getattr(found.setdefault(index, RuleMatches()), part).append(
                    (min(token_ids), max(token_ids) + 1))
        if later:
            hits = []
            for n in later:
                index = self._key[self._gated[n][0]][0]
                if index in found and found[index].main:
                    words = self._run_gated(n, doc, hits, words, array, ids)
            for key, start, end in hits:
                index, part = self._key[key]
                getattr(found[index], part).append((start, end))
        return found

    def _run_gated(self, n: int, doc: "Doc", hits: list, words: WordString | None, array: list,
                   ids: list[int]) -> WordString | None:
        """Run gated entry ``n`` (a Matcher, or a word regex over the Doc's WordString, built
        once per Doc and returned for the next entry); its matches go to ``hits``."""
        key, runner = self._gated[n]
        first = self._first[n]
        starts = None
        if first is not None:
            starts = [i for i, word in enumerate(ids) if word in first]
            if not starts:
                return words
        if isinstance(runner, str):
            runner = re.compile(runner)
            self._gated[n] = (key, runner)
        elif not isinstance(runner, re.Pattern):
            hits.extend(runner(doc))
            return words
        if words is None:
            strings = doc.vocab.strings
            words = WordString([strings[i] for i in ids], [row[1] == 1 for row in array])
        spans = words.spans(runner) if starts is None else words.spans_at(runner, starts)
        hits.extend((key, s, e) for s, e in spans)
        return words
