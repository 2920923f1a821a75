"""The result cache: a re-run after changing one file re-scores only that file.

An entry is keyed by (file content hash, scorer key, poise version), where the scorer key
covers the rules hash, the scorecard hash and every option that changes results (redaction,
sentiment source, load options, the file's configured ignores). A rule change therefore
invalidates everything.

An entry is JSON Lines, written atomically (temp file + rename): a header line, one line per
result (or unreadable-file reason), and a trailer line with the count (held to the number of
lines) and the SHA-256 of every byte before it. Reading checks the trailer first (one pass over the bytes), then yields the
results one line at a time, so the entry of an export of thousands of calls is never in memory
whole, neither when written (``writer``: results are added as they come back from the workers)
nor when read (``iter``). An entry that cannot be read, does not look like one or fails its
checksum is ignored and rewritten, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from . import __version__
from .batch import InputError
from .results import CallResult

CACHE_DIR = Path(".poise-cache")
FORMAT = 2


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
        return self.root / key[:2] / f"{key}.jsonl"

    def has(self, key: str) -> bool:
        """An entry exists (whether it is sound is for ``get`` to say)."""
        return self._path(key).is_file()

    def get(self, key: str, source: str) -> list[CallResult | InputError] | None:
        """The entry's items, or None (missing, or not sound: counted in ``rejected``)."""
        items = self.iter(key, source)
        return None if items is None else list(items)

    def iter(self, key: str, source: str) -> Iterator[CallResult | InputError] | None:
        """The entry's items read one at a time, once its checksum holds; None when there is no
        sound entry."""
        path = self._path(key)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError:
            self.rejected += 1
            return None
        try:
            count = _check(fh, key)
        except (OSError, ValueError, KeyError, TypeError):
            fh.close()
            self.rejected += 1  # corrupt: ignore it; the fresh result will overwrite it
            return None
        self.hits += 1
        return _items(fh, count, source)

    def writer(self, key: str) -> "EntryWriter":
        """Write an entry item by item (``add``), in place at ``commit``."""
        return EntryWriter(self._path(key), key)

    def put(self, key: str, items: Iterable[CallResult | InputError]) -> None:
        writer = self.writer(key)
        for item in items:
            writer.add(item)
        writer.commit()


def _check(fh: BinaryIO, key: str) -> int:
    """Verify an entry (header, trailer, checksum of the bytes before the trailer); returns the
    item count and leaves ``fh`` at the first item."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(max(0, size - 4096))
    tail = fh.read()
    cut = tail.rstrip(b"\n").rfind(b"\n")
    if cut < 0:
        raise ValueError("no trailer")
    trailer = json.loads(tail[cut + 1:])
    body_end = size - len(tail) + cut + 1
    h = hashlib.sha256()
    fh.seek(0)
    left, lines = body_end, 0
    while left:
        block = fh.read(min(left, 1 << 20))
        if not block:
            raise ValueError("truncated")
        h.update(block)
        lines += block.count(b"\n")
        left -= len(block)
    if trailer.get("sha256") != h.hexdigest():
        raise ValueError("checksum mismatch")
    if lines != int(trailer["items"]) + 1:  # the count is outside the checksum: hold it to the lines
        raise ValueError("item count does not match the entry")
    fh.seek(0)
    header = json.loads(fh.readline())
    if header.get("format") != FORMAT or header.get("key") != key:
        raise ValueError("not a poise cache entry")
    return int(trailer["items"])


def _items(fh: BinaryIO, count: int, source: str) -> Iterator[CallResult | InputError]:
    with fh:
        for _ in range(count):
            item = json.loads(fh.readline())
            if "reason" in item and "id" not in item:
                yield InputError(source, item["reason"])
            else:
                yield CallResult.from_dict({**item, "source": source})


class EntryWriter:
    """One cache entry being written: a temp file beside it, renamed in place by ``commit``.
    Failing to write only costs time: the entry is then simply not there."""

    def __init__(self, path: Path, key: str) -> None:
        self.path, self.count, self.fh, self.tmp = path, 0, None, None
        self.hash = hashlib.sha256()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            self.fh = os.fdopen(fd, "wb")
            self._line({"format": FORMAT, "key": key})
        except OSError:
            self.abort()

    def _line(self, data: dict[str, Any]) -> None:
        line = json.dumps(data, ensure_ascii=True, default=str).encode("ascii") + b"\n"
        self.hash.update(line)
        self.fh.write(line)  # type: ignore[union-attr]

    def add(self, item: CallResult | InputError) -> None:
        if self.fh is None:
            return
        try:
            self._line({"reason": item.reason} if isinstance(item, InputError) else item.to_dict(with_turns=True))
            self.count += 1
        except OSError:
            self.abort()

    def commit(self) -> None:
        if self.fh is None:
            return
        try:
            self.fh.write(json.dumps({"items": self.count, "sha256": self.hash.hexdigest()}).encode() + b"\n")
            self.fh.close()
            self.fh = None
            os.replace(self.tmp, self.path)  # type: ignore[arg-type]
        except OSError:
            self.abort()

    def abort(self) -> None:
        if self.fh is not None:
            try:
                self.fh.close()
            except OSError:
                pass
            self.fh = None
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


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
    count = sum(1 for _ in root.rglob("*.jsonl"))
    shutil.rmtree(root)
    return count
