"""Scoring on a Dask cluster: ``poise score --engine dask [--scheduler tcp://host:8786]``.

The caller discovers the files (so folders are walked once, where the command runs), cuts the
list into partitions and submits one task per partition. Each task runs on a worker process,
takes that process's Scorer for these settings (built on first use from ``Scorer.settings()``
and cached, keyed by the settings' hash), scores its files by *path* and returns plain dicts.
The caller takes the partitions back strictly in input order, with a bounded number of tasks in
flight, so memory stays flat and the reports are byte-for-byte those of the local engine.

Workers read the files themselves: every input path, rule folder and scorecard must resolve to
the same file on every worker (a shared filesystem or the same mount on every host; a relative
path is read relative to each worker's working directory). With no scheduler address a
``LocalCluster`` is started on this machine for the run and closed after it.

Dask is an optional dependency: ``pip install 'poise[dask]'``.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .. import __version__
from ..batch import InputError, default_workers, discover
from ..errors import UsageError
from ..results import CallResult
from . import from_plain, scored_with, settings_key, to_plain

MISSING = "--engine dask needs the dask extra: pip install 'poise[dask]'"
MAX_PARTITION = 64  # files per task at most, when the size is chosen automatically


def require_dask() -> Any:
    """The ``distributed`` module, or a UsageError saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise UsageError(MISSING) from exc
    return distributed


def _score_partition(key: str, settings: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """Runs on a worker: score each file, as plain data, one list per file."""
    with scored_with(settings, key) as scorer:
        files = [[to_plain(item) for item in scorer.score_path(Path(p))] for p in paths]
        return {"version": __version__, "scorer": scorer.key, "files": files}


def partitions(files: Sequence[Any], threads: int, size: int | None = None) -> list[list[str]]:
    """Cut the file list into tasks: ``size`` files each, or about four tasks per worker thread."""
    names = [str(f) for f in files]
    if size is None:
        size = max(1, min(MAX_PARTITION, math.ceil(len(names) / (max(1, threads) * 4))))
    if size < 1:
        raise UsageError("the partition size must be at least 1")
    return [names[i:i + size] for i in range(0, len(names), size)]


def score_files(settings: Mapping[str, Any], files: Iterable[str | Path], scheduler: str | None = None,
                partition_size: int | None = None, *, n_workers: int | None = None,
                expect_key: str | None = None,
                on_file: Callable[[int], None] | None = None) -> Iterator[CallResult | InputError]:
    """Score these files on a Dask cluster; yield CallResults and InputErrors in input order.

    ``scheduler``: a scheduler address (``tcp://host:8786``); None starts a LocalCluster of
    ``n_workers`` single-threaded worker processes (default: one per CPU) for this run.
    ``partition_size``: files per task (default: about four tasks per worker thread, at most 64
    files each). ``expect_key``: the caller's ``Scorer.key``; a worker that builds different
    rules, scorecard or options (a rule folder that differs on that host) stops the run with a
    UsageError instead of scoring differently. ``on_file(n)`` is called as files complete.
    """
    distributed = require_dask()
    files = list(files)
    if not files:
        return
    settings = dict(settings)
    key = settings_key(settings)
    cluster = None
    try:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=min(n_workers or default_workers(), len(files)), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR)
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(scheduler)
            except (OSError, ValueError, TypeError) as exc:
                raise UsageError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from exc
    except BaseException:
        _close(None, cluster)
        raise
    try:
        _check_relative_paths(client, files)
        yield from _gather_in_order(client, key, settings, files, partition_size, expect_key, on_file)
    finally:
        _close(client, cluster)


def _close(client: Any, cluster: Any) -> None:
    """Disconnect (and stop our LocalCluster). Every result is in hand by now: a slow or failing
    shutdown (a busy machine, a worker that must be killed) must not fail the run."""
    for thing in (client, cluster):
        if thing is None:
            continue
        try:
            thing.close()
        except Exception:  # noqa: BLE001 - see the docstring
            logging.getLogger(__name__).debug("closing %r failed", thing, exc_info=True)


def _gather_in_order(client: Any, key: str, settings: dict[str, Any], files: list[Any],
                     partition_size: int | None, expect_key: str | None,
                     on_file: Callable[[int], None] | None) -> Iterator[CallResult | InputError]:
    threads = sum(client.nthreads().values()) or 1
    parts = partitions(files, threads, partition_size)
    window = max(4, threads * 3)  # tasks in flight: enough to keep every thread busy
    run = uuid.uuid4().hex[:12]
    pending: deque[Any] = deque()
    submitted = 0

    def submit() -> None:
        nonlocal submitted
        pending.append(client.submit(_score_partition, key, settings, parts[submitted],
                                     key=f"poise-score-{run}-{submitted}", pure=False))
        submitted += 1

    try:
        while submitted < len(parts) and len(pending) < window:
            submit()
        while pending:
            payload = pending.popleft().result()
            if submitted < len(parts):
                submit()
            _check(payload, expect_key)
            for items in payload["files"]:
                for item in items:
                    yield from_plain(item)
                if on_file:
                    on_file(1)
    finally:
        if pending:
            client.cancel(list(pending))


def _check_relative_paths(client: Any, files: Sequence[Any]) -> None:
    """Relative paths are read from each worker's working directory: refuse when that differs."""
    relative = [str(f) for f in files if not Path(f).is_absolute()]
    if not relative:
        return
    here = os.getcwd()
    elsewhere = sorted({cwd for cwd in client.run(os.getcwd).values() if cwd != here})
    if elsewhere:
        raise UsageError(f"relative paths such as {relative[0]} would be read from the Dask workers' working "
                         f"directory ({elsewhere[0]}), not {here}: give absolute paths that every worker "
                         "can read (a shared filesystem mounted at the same place)")


def _check(payload: Mapping[str, Any], expect_key: str | None) -> None:
    if payload["version"] != __version__:
        raise UsageError(f"a Dask worker runs poise {payload['version']}, this machine {__version__}: "
                         "install the same poise version on every worker")
    if expect_key is not None and payload["scorer"] != expect_key:
        raise UsageError("a Dask worker built different rules, scorecard or options than this machine "
                         f"(worker {payload['scorer']!r}, here {expect_key!r}): every rule folder and the "
                         "scorecard must be the same files at the same paths on every worker "
                         "(see docs/scale.md)")


def score_paths(settings: Mapping[str, Any], paths: Iterable[str | Path], include: Sequence[str] = (),
                exclude: Sequence[str] = (), **options: Any) -> Iterator[CallResult | InputError]:
    """Like ``Scorer.score_files`` on a cluster: walk files and folders here (problems first, as
    InputErrors, exactly as the local engine reports them), then ``score_files`` the rest."""
    require_dask()  # fail before walking a large tree when dask is missing
    files, errors = discover(paths, include, exclude)
    yield from errors
    yield from score_files(settings, files, **options)


def score_with(scorer: Any, paths: Iterable[str | Path], include: Sequence[str] = (),
               exclude: Sequence[str] = (), scheduler: str | None = None, n_workers: int | None = None,
               on_file: Callable[[int], None] | None = None) -> Iterator[CallResult | InputError]:
    """``scorer.score_files`` on Dask, for a Scorer already built here (the CLI's): the workers
    build the same one from ``scorer.settings()`` and must end with the same ``scorer.key``."""
    require_dask()
    files, errors = discover(paths, include, exclude)
    yield from errors
    scorer.files_found = len(files)
    yield from score_files(scorer.settings(), files, scheduler, n_workers=n_workers,
                           expect_key=scorer.key, on_file=on_file)
