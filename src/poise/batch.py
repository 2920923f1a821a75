"""Walking inputs: files and folders (recursive, include/exclude globs), loading each file,
and keeping every failure as a named, reasoned ``InputError`` so the rest of a batch goes on."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .errors import LoadError
from .formats import LoadOptions, load_file, load_text_chunks, read_text
from .transcript import Transcript

#: File names picked up when walking a folder (an explicitly named file is always read).
DEFAULT_INCLUDE = ("*.txt", "*.json", "*.jsonl", "*.ndjson", "*.vtt", "*.srt", "*.csv", "*.tsv",
                   "*.script.md", "*.script.markdown", "*.script.yaml", "*.script.yml")


@dataclass(frozen=True, slots=True)
class InputError:
    """A file that could not be read, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class LoadedFile:
    path: str
    transcripts: tuple[Transcript, ...]


def _matches(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    return any(fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def discover(paths: Iterable[str | Path], include: Sequence[str] = (),
             exclude: Sequence[str] = ()) -> tuple[list[Path], list[InputError]]:
    """Expand files and folders into a sorted, de-duplicated list of files to read.

    Folders are walked recursively, following symbolic links but never twice into the same
    real folder (a link loop is reported, not followed forever). Hidden files and folders are
    skipped. ``include`` replaces the default name patterns; ``exclude`` removes matches.
    """
    files: list[Path] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    patterns = tuple(include) or DEFAULT_INCLUDE
    for raw in paths:
        path = Path(raw)
        if path.is_symlink() and not path.exists():
            errors.append(InputError(str(path), _broken_link_reason(path)))
        elif path.is_dir():
            _walk(path, patterns, exclude, files, errors)
        elif path.exists():
            if not (exclude and _matches(path, path.parent, exclude)):
                files.append(path)
        else:
            errors.append(InputError(str(path), "no such file or folder"))
    unique = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def _broken_link_reason(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        import errno
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


def _walk(root: Path, patterns: Sequence[str], exclude: Sequence[str],
          files: list[Path], errors: list[InputError]) -> None:
    visited: set[str] = set()

    def onerror(exc: OSError) -> None:
        errors.append(InputError(str(exc.filename or root), exc.strerror or str(exc)))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        real = os.path.realpath(dirpath)
        if real in visited:
            errors.append(InputError(dirpath, "symbolic link loop (folder already visited)"))
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.exists():
                errors.append(InputError(str(path), _broken_link_reason(path)))
                continue
            if _matches(path, root, patterns) and not (exclude and _matches(path, root, exclude)):
                files.append(path)


def load_files(files: Iterable[Path], options: LoadOptions) -> Iterator[LoadedFile | InputError]:
    """Load each file in order; a file that fails becomes an InputError, never an exception."""
    for path in files:
        try:
            yield LoadedFile(str(path), tuple(load_file(path, options)))
        except (LoadError, RecursionError) as exc:
            yield InputError(str(path), _load_reason(exc))


def _load_reason(exc: LoadError | RecursionError) -> str:
    return "structure nested too deeply to read" if isinstance(exc, RecursionError) else str(exc)


# -- scoring many files: worker processes, cache, order ------------------------------------------
import multiprocessing
import sys
from typing import Any, Callable

_WORKER: Any = None  # the Scorer a worker process uses (inherited on fork, built on spawn)


def _init_worker(settings: dict[str, Any] | None) -> None:
    global _WORKER
    if _WORKER is None and settings is not None:
        from .api import Scorer
        _WORKER = Scorer(**settings)


def _score_task(task: tuple[str, Any]) -> list[Any]:
    """A worker's job: ("file", path) scores a whole file; ("calls", transcripts) a chunk of
    the calls of a big file that this process read and split."""
    kind, payload = task
    if kind == "file":
        return _WORKER.score_path(payload)
    return _WORKER.score_chunk(payload)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: A file at least this big is read here and its calls are scored in chunks across the workers
#: (an export of thousands of calls in one JSONL or CSV file would otherwise keep one worker busy
#: and leave the others idle); smaller files go to a worker whole.
SPLIT_BYTES = 256 * 1024
#: Calls per chunk of a split file.
CHUNK_CALLS = 64


def score_in_order(scorer: Any, files: Sequence[Path], workers: int = 1,
                   on_file: Callable[[int], None] | None = None, *, split_bytes: int | None = None,
                   chunk_calls: int | None = None) -> Iterator[Any]:
    """Score files with ``scorer.score_path`` and yield results (and InputErrors) in input order.

    ``workers > 1`` uses worker processes; on Linux they are forked from this process and share
    the already-built pipeline, elsewhere each builds its own once. A small file goes to a worker
    whole; a big one (``SPLIT_BYTES``) is read here and its calls go out in chunks of
    ``CHUNK_CALLS``, so one large export keeps every worker busy. At most a few tasks per worker
    are in flight and results stream back in input order, so memory does not grow with the corpus.
    """
    global _WORKER
    split_bytes = SPLIT_BYTES if split_bytes is None else split_bytes
    chunk_calls = CHUNK_CALLS if chunk_calls is None else chunk_calls
    big = [p for p in files if _size(p) >= split_bytes]
    workers = max(1, min(workers, len(files) if not big else workers))
    if workers > 1 and getattr(scorer, "cache", None) is not None and scorer.all_cached(files):
        workers = 1  # every file is in the result cache: read it here, no pipeline, no processes
    if workers == 1:
        for path in files:
            yield from scorer.iter_path(path)
            if on_file:
                on_file(1)
        return
    use_fork = sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork" if use_fork else "spawn")
    if use_fork:
        scorer.detector  # build the pipeline once, before forking: the workers share it
    _WORKER = scorer if use_fork else None
    settings = None if use_fork else scorer.settings()
    try:
        with context.Pool(workers, initializer=_init_worker, initargs=(settings,)) as pool:
            yield from _in_order(pool, _tasks(scorer, files, split_bytes, chunk_calls), 4 * workers, scorer,
                                 on_file)
    finally:
        _WORKER = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _tasks(scorer: Any, files: Sequence[Path], split_bytes: int, chunk_calls: int) -> Iterator[tuple]:
    """(what to yield now, or a worker task, file boundary) in input order: ("items", [...]) for
    what this process already has (a cached big file, an unreadable one), ("task", task, key,
    last) for worker jobs; ``last`` marks a file's last job and ``key`` is the result-cache key
    under which the chunks of a split file are stored together once all are back."""
    for path in files:
        if _size(path) < split_bytes:
            yield ("task", ("file", path), None, True)
            continue
        key = scorer._cache_key(path) if getattr(scorer, "cache", None) is not None else None
        cached = scorer.cache.iter(key, str(path)) if key is not None else None
        if cached is not None:  # read one result at a time
            yield ("items", cached, None, True)
            continue
        # Read once; a JSON Lines export is then loaded a chunk of lines at a time, twice: first
        # to know the whole file is sound (a bad line makes it unreadable, and no result of it
        # may have gone out before), then to send the chunks to the workers.
        try:
            text, warnings = read_text(path, scorer.load_options.max_file_size)
            count = sum(1 for _ in load_text_chunks(text, path, scorer.load_options, chunk_calls, warnings))
        except (LoadError, RecursionError) as exc:
            error = InputError(str(path), _load_reason(exc))
            if key is not None:
                scorer.cache.put(key, [error])
            yield ("items", [error], None, True)
            continue
        for n, chunk in enumerate(load_text_chunks(text, path, scorer.load_options, chunk_calls, warnings)):
            yield ("task", ("calls", chunk), key, n == count - 1)


def _in_order(pool: Any, tasks: Iterator[tuple], window: int, scorer: Any,
              on_file: Callable[[int], None] | None) -> Iterator[Any]:
    """Run the tasks on the pool with at most ``window`` in flight; yield results in order."""
    from collections import deque
    pending: deque = deque()
    writer: Any = None  # the cache entry of the split file being scored, written chunk by chunk

    def settle(entry: tuple) -> Iterator[Any]:
        nonlocal writer
        kind, value, key, last = entry
        items = value if kind == "items" else value.get()
        if key is not None:
            writer = writer or scorer.cache.writer(key)
            for item in items:
                writer.add(item)
            if last:
                writer.commit()
                writer = None
        yield from items
        if last and on_file:
            on_file(1)

    try:
        for entry in tasks:
            if entry[0] == "task":
                entry = ("async", pool.apply_async(_score_task, (entry[1],)), entry[2], entry[3])
            pending.append(entry)
            while len(pending) > window:
                yield from settle(pending.popleft())
        while pending:
            yield from settle(pending.popleft())
    finally:
        if writer is not None:  # stopped half-way through a split file: no entry for it
            writer.abort()
