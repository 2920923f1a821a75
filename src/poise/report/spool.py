"""Results kept on disk while a batch runs, for the reports that list every call.

The Markdown, HTML, JUnit, SARIF and GitHub reports and the ``poise check`` gate look at every
call after the batch ends (worst first, with the gate's verdict). Holding the results in memory
grew by ~40 KB a call (300–560 MiB for 2,000 calls); a ``ResultSpool`` writes each call's result
as it arrives into one anonymous temporary file (a compressed pickle of plain dicts, ~7 KB a lean
call; this process wrote it and reads it back, nobody else) and keeps four integers a call. It reads as a ``Sequence[CallResult]`` of lean results
(``CallResult.lean``: no turn texts, no evidence); ``full(i)`` reads a call's whole result back
when it was spooled with ``full=True`` (the HTML report's transcripts).

Every pass over the spool decodes the calls again, one at a time: a report that needs several
figures makes a few passes (about 1 s per pass over 20,000 lean calls) instead of keeping them.
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from array import array
from collections.abc import Sequence
from typing import Any, Callable, Iterator, overload

from ..results import CallResult


def _encode(data: dict[str, Any]) -> bytes:
    return zlib.compress(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _decode(blob: bytes) -> CallResult:
    return CallResult.from_dict(pickle.loads(zlib.decompress(blob)))


class ResultSpool(Sequence):
    """Append-only, on-disk ``Sequence[CallResult]`` (lean); ``full(i)``: the whole result."""

    def __init__(self, full: bool = False, directory: str | None = None) -> None:
        self.keeps_full = full
        self._fh = tempfile.TemporaryFile(prefix="poise-spool-", dir=directory)
        self._lean = array("q")  # offset, length per call
        self._full = array("q")
        self._end = 0

    def _write(self, blob: bytes, index: array) -> None:
        self._fh.seek(self._end)
        try:
            self._fh.write(blob)
        except OSError as exc:
            raise OSError(exc.errno, f"{exc.strerror} while keeping results for the report in "
                          f"{tempfile.gettempdir()} (set TMPDIR to a folder with room: about 7 KB a "
                          "call, 17 KB with -o report.html)") from exc
        index.extend((self._end, len(blob)))
        self._end += len(blob)

    def append(self, result: CallResult) -> None:
        self._write(_encode(result.lean_dict()), self._lean)
        if self.keeps_full:
            self._write(_encode(result.to_dict(with_turns=True)), self._full)

    def _read(self, index: array, i: int) -> CallResult:
        offset, length = index[2 * i], index[2 * i + 1]
        self._fh.seek(offset)
        return _decode(self._fh.read(length))

    def __len__(self) -> int:
        return len(self._lean) // 2

    @overload
    def __getitem__(self, i: int) -> CallResult: ...
    @overload
    def __getitem__(self, i: slice) -> list[CallResult]: ...

    def __getitem__(self, i: int | slice) -> CallResult | list[CallResult]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError("spool index out of range")
        return self._read(self._lean, i % n)

    def __iter__(self) -> Iterator[CallResult]:
        for i in range(len(self)):
            yield self._read(self._lean, i)

    def full(self, i: int) -> CallResult:
        """Call ``i``'s whole result (turn texts, evidence); its lean form when spooled without."""
        return self._read(self._full, i) if self.keeps_full else self[i]

    def close(self) -> None:
        self._fh.close()


def order(results: Sequence[CallResult], key: Callable[[CallResult], Any]) -> list[int]:
    """Indices of ``results`` (a spool or a list) sorted by ``key``: one pass, only the keys kept."""
    keys = [key(r) for r in results]
    return sorted(range(len(keys)), key=keys.__getitem__)


def full(results: Sequence[CallResult], i: int) -> CallResult:
    """Call ``i`` with its turn texts when ``results`` has them."""
    return results.full(i) if isinstance(results, ResultSpool) else results[i]
