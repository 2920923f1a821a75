"""A cache of rule files that loaded cleanly, so that a run does not parse and check them again.

Reading the default packs (YAML with the line of every key, for file:line messages) and checking
each token pattern with spaCy's validator takes ~0.4 s: a third of what a one-call
``poise score`` costs beyond importing spaCy. A rule file that loaded **with no problem** is
stored as the JSON of its ``Rule`` objects, under a key made of

- the file's bytes and its path as given (rules carry the path for their messages),
- the rules code (the bytes of ``poise/rules/*.py``: the loader and the model) and poise's
  version,
- spaCy's version (its validator decides which token patterns are valid),
- this module's ``FORMAT``.

Anything else gives another key, so an entry can only ever be used for the same input read by
the same code. A file with a problem is never stored: its messages come from a full read every
time. Entries are written atomically (temp file + rename); an entry that cannot be read or does
not decode to rules is ignored and rewritten, never trusted. A cache that cannot be written (a
read-only home) only costs time. Beyond ``MAX_ENTRIES`` files, the least recently used go.

Where: ``$POISE_CACHE_DIR/rules`` when that variable is set (set it empty to turn the cache
off), else ``$XDG_CACHE_HOME/poise/rules``, else ``~/.cache/poise/rules``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .model import After, Example, Metric, Pattern, Proximity, Rule, Window

FORMAT = 1
#: Entries kept (about 40 KB each; the default packs are 15 files): the least recently used
#: beyond this are deleted when a new entry is written.
MAX_ENTRIES = 1000


def default_dir() -> Path | None:
    """The cache folder for this user, or None when ``POISE_CACHE_DIR`` is set empty."""
    env = os.environ.get("POISE_CACHE_DIR")
    if env is not None:
        return Path(env) / "rules" if env.strip() else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory: no cache
            return None
    return Path(base) / "poise" / "rules"


@lru_cache(maxsize=1)
def _code_stamp() -> bytes:
    """What decides the Rule objects a file becomes: the rules code, poise's and spaCy's versions.
    (spaCy's version is read from its ``about.py`` without importing spaCy.)"""
    from .. import __version__
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    spec = find_spec("spacy")
    if spec is not None and spec.origin:
        about = Path(spec.origin).parent / "about.py"
        h.update(about.read_bytes() if about.is_file() else b"?")
    return h.digest()


class RuleCache:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.hits = self.misses = self.rejected = 0

    @classmethod
    def default(cls) -> "RuleCache | None":
        root = default_dir()
        return cls(root) if root is not None else None

    def key(self, path: str, data: bytes) -> str:
        h = hashlib.sha256(_code_stamp())
        h.update(path.encode("utf-8", "surrogateescape") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def get(self, key: str) -> list[Rule] | None:
        try:
            doc = json.loads(self._path(key).read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT or doc.get("key") != key:
                raise ValueError("not a poise rule cache entry")
            rules = [rule_from_json(item) for item in doc["rules"]]
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.rejected += 1  # corrupt or foreign: read the file again and overwrite it
            return None
        self.hits += 1
        try:
            os.utime(self._path(key))  # recently used: kept when the cache is pruned
        except OSError:
            pass
        return rules

    def put(self, key: str, rules: list[Rule]) -> None:
        try:
            payload = json.dumps({"format": FORMAT, "key": key, "rules": [rule_to_json(r) for r in rules]},
                                 ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return  # a value JSON cannot hold exactly (YAML gave a date, say): do not cache the file
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(payload)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.prune()
        except OSError:
            pass

    def prune(self, keep: int | None = None) -> None:
        """Keep the ``keep`` (default ``MAX_ENTRIES``) most recently used entries: rule folders
        under changing paths (a temp checkout) would otherwise add entries forever."""
        keep = MAX_ENTRIES if keep is None else keep
        entries = [e for e in os.scandir(self.root) if e.name.endswith(".json")]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for entry in entries[keep:]:
            try:
                os.unlink(entry.path)
            except OSError:
                pass

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        if not self.root.exists():
            return 0
        count = sum(1 for _ in self.root.rglob("*.json"))
        shutil.rmtree(self.root, ignore_errors=True)
        return count


# -- Rule <-> JSON ----------------------------------------------------------------------------
# Explicit per type, so that a decoded Rule is equal (==) to the one the loader built: tuples
# where the model has tuples, nested dataclasses rebuilt, nothing guessed from the JSON.

def _pattern_json(p: Pattern) -> list[Any]:
    return [p.kind, p.value, p.line]


def _patterns(raw: list) -> tuple[Pattern, ...]:
    out = []
    for kind, value, line in raw:
        if kind not in ("phrase", "tokens", "dependency"):
            raise ValueError(f"unknown pattern kind {kind!r}")
        out.append(Pattern(kind, value, line))
    return tuple(out)


def _example_json(e: Example) -> list[Any]:
    return [e.text, e.customer, e.line, [list(t) for t in e.turns]]


def _example(raw: list) -> Example:
    text, customer, line, turns = raw
    return Example(text, customer, line, tuple(tuple(t) for t in turns))


def rule_to_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id, "category": rule.category, "polarity": rule.polarity, "severity": rule.severity,
        "message": rule.message, "tip": rule.tip, "link": rule.link, "speaker": rule.speaker,
        "kind": rule.kind, "patterns": [_pattern_json(p) for p in rule.patterns],
        "unless": [_pattern_json(p) for p in rule.unless], "negation": rule.negation, "quoted": rule.quoted,
        "within": None if rule.within is None else [rule.within.first_turns, rule.within.last_turns,
                                                     rule.within.first_percent, rule.within.last_percent],
        "after": None if rule.after is None else [rule.after.ref, rule.after.turns],
        "proximity": None if rule.proximity is None else [[_pattern_json(p) for p in rule.proximity.patterns],
                                                          rule.proximity.distance],
        "metric": [[m.name, m.op, m.value] for m in rule.metric], "detector": rule.detector,
        "params": rule.params, "suppresses": list(rule.suppresses),
        "examples_match": [_example_json(e) for e in rule.examples_match],
        "examples_no_match": [_example_json(e) for e in rule.examples_no_match],
        "source": rule.source, "line": rule.line, "extra": rule.extra,
    }


def rule_from_json(d: dict[str, Any]) -> Rule:
    within, after, proximity = d["within"], d["after"], d["proximity"]
    return Rule(
        id=d["id"], category=d["category"], polarity=d["polarity"], severity=d["severity"],
        message=d["message"], tip=d["tip"], link=d["link"], speaker=d["speaker"], kind=d["kind"],
        patterns=_patterns(d["patterns"]), unless=_patterns(d["unless"]), negation=d["negation"],
        quoted=d["quoted"], within=None if within is None else Window(*within),
        after=None if after is None else After(*after),
        proximity=None if proximity is None else Proximity(_patterns(proximity[0]), proximity[1]),
        metric=tuple(Metric(*m) for m in d["metric"]), detector=d["detector"], params=dict(d["params"]),
        suppresses=tuple(d["suppresses"]),
        examples_match=tuple(_example(e) for e in d["examples_match"]),
        examples_no_match=tuple(_example(e) for e in d["examples_no_match"]),
        source=d["source"], line=d["line"], extra=dict(d["extra"]),
    )
