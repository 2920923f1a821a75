"""The result cache: a re-run after changing one file re-scores only that file.

An entry is keyed by (file content hash, scorer key, poise version), where the scorer key
covers the rules hash, the scorecard hash and every option that changes results (redaction,
sentiment source, load options, the file's configured ignores). A rule change therefore
invalidates everything. Entries are JSON written atomically (temp file + rename); an entry
that cannot be read or does not look like one is ignored and rewritten, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .batch import InputError
from .results import CallResult

CACHE_DIR = Path(".poise-cache")
FORMAT = 1


class ResultCache:
    def __init__(self, root: Path | str = CACHE_DIR, scorer_key: str = "") -> None:
        self.root = Path(root)
        self.scorer_key = scorer_key
        self.hits = self.misses = self.rejected = 0

    def key(self, data: bytes, extra: str = "") -> str:
        h = hashlib.sha256()
        h.update(data)
        h.update(f"\0{self.scorer_key}\0{extra}\0{__version__}\0{code_hash()}\0{FORMAT}".encode())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """An entry exists (whether it is sound is for ``get`` to say)."""
        return self._path(key).is_file()

    def get(self, key: str, source: str) -> list[CallResult | InputError] | None:
        path = self._path(key)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT or doc.get("key") != key:
                raise ValueError("not a poise cache entry")
            items: list[CallResult | InputError] = []
            for item in doc["items"]:
                if "reason" in item and "id" not in item:
                    items.append(InputError(source, item["reason"]))
                else:
                    items.append(CallResult.from_dict({**item, "source": source}))
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self.rejected += 1  # corrupt: ignore it; the fresh result will overwrite it
            return None
        self.hits += 1
        return items

    def put(self, key: str, items: list[CallResult | InputError]) -> None:
        payload: list[dict[str, Any]] = [
            {"reason": i.reason} if isinstance(i, InputError) else i.to_dict(with_turns=True) for i in items]
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"format": FORMAT, "key": key, "items": payload}, fh, default=str)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


@lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of poise's own code and data, so that a changed engine never reuses old results
    even when the version number has not moved (a development checkout, a patched install)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".gz", ".j2") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def clear(root: Path | str = CACHE_DIR) -> int:
    """Delete the cache; returns how many entries were removed."""
    root = Path(root)
    if not root.exists():
        return 0
    count = sum(1 for _ in root.rglob("*.json"))
    shutil.rmtree(root)
    return count
