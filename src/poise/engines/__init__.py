"""Running poise beyond one machine: the pieces every distributed engine shares.

A worker (a Dask worker, a Spark Python worker, a Ray actor) rebuilds the caller's Scorer from
``Scorer.settings()`` - plain, picklable fields - once per process, scores, and sends back
plain dicts; the caller turns them back into ``CallResult`` / ``InputError`` so every report
writer works unchanged.

    from poise.api import Scorer
    from poise.engines import scorer_for, score_json

    settings = Scorer().settings()          # on the driver
    scorer = scorer_for(settings)           # on a worker: built once per process, then reused
    rows = score_json(scorer, line, "row-17.json")   # one native-JSON transcript -> result dicts

Engines: ``poise.engines.dask_engine`` (``poise score --engine dask``). Spark and Ray Data use
the helpers here directly: see examples/ and docs/scale.md.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from ..api import Scorer
    from ..batch import InputError
    from ..results import CallResult

__all__ = ["settings_key", "scorer_for", "scored_with", "to_plain", "from_plain", "score_json",
           "result_row", "RESULT_SCHEMA"]

_MAX_SCORERS = 4  # distinct settings kept per process (a long-lived cluster serves many runs)
_SCORERS: "OrderedDict[str, tuple[Scorer, threading.Lock]]" = OrderedDict()
_BUILD_LOCK = threading.Lock()


def settings_key(settings: Mapping[str, Any]) -> str:
    """A stable hash of Scorer settings: equal settings give equal keys in any process."""
    text = repr(sorted((str(k), repr(v)) for k, v in settings.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _cached(settings: Mapping[str, Any], key: str | None = None) -> "tuple[Scorer, threading.Lock]":
    key = key or settings_key(settings)
    with _BUILD_LOCK:
        entry = _SCORERS.get(key)
        if entry is None:
            from ..api import Scorer
            entry = (Scorer(**settings), threading.Lock())
            _SCORERS[key] = entry
            while len(_SCORERS) > _MAX_SCORERS:
                _SCORERS.popitem(last=False)
        else:
            _SCORERS.move_to_end(key)
        return entry


def scorer_for(settings: Mapping[str, Any], key: str | None = None) -> "Scorer":
    """The Scorer for these settings in this process: built on first use, then reused.

    Building one loads spaCy and compiles the rules (about a second); scoring with it is
    cheap. Use it from one thread at a time (Dask workers: ``--nthreads 1``), or through
    ``scored_with`` which takes its lock.
    """
    return _cached(settings, key)[0]


def scored_with(settings: Mapping[str, Any], key: str | None = None):
    """``with scored_with(settings) as scorer:`` - the cached Scorer, held by this thread only."""
    from contextlib import contextmanager

    @contextmanager
    def hold():
        scorer, lock = _cached(settings, key)
        with lock:
            yield scorer

    return hold()


def to_plain(item: "CallResult | InputError") -> dict[str, Any]:
    """A result as plain data: the CallResult dict (with turns) or ``{"path", "reason"}``."""
    from ..batch import InputError
    if isinstance(item, InputError):
        return item.to_dict()
    return item.to_dict(with_turns=True)


def from_plain(data: Mapping[str, Any]) -> "CallResult | InputError":
    """The inverse of ``to_plain``."""
    from ..batch import InputError
    from ..results import CallResult
    if "reason" in data and "id" not in data:
        return InputError(str(data["path"]), str(data["reason"]))
    return CallResult.from_dict(data)


def score_json(scorer: "Scorer", text: str, source: str = "row.json") -> list[dict[str, Any]]:
    """Score one native-JSON transcript (an object, or a list of them) held in a string.

    Returns ``to_plain`` dicts: one per call, or one ``{"path": source, "reason": ...}`` when
    the text cannot be read as a transcript. ``source`` names the call in results and messages
    (and is what ``ignore:`` globs match); give it a ``.json`` suffix.
    """
    from ..errors import LoadError
    from ..formats import load_text
    try:
        transcripts = load_text(text, Path(source), scorer.load_options)
    except LoadError as exc:
        return [{"path": source, "reason": str(exc)}]
    except RecursionError:
        return [{"path": source, "reason": "structure nested too deeply to read"}]
    return [r.to_dict(with_turns=True) for r in scorer.score_transcripts(transcripts)]


#: The columns of ``result_row`` (a Spark DDL schema string for ``mapInPandas``).
RESULT_SCHEMA = ("source string, id string, score double, band string, auto_fail string, "
                 "error string, result string")


def result_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """A flat row for a table (Spark, Ray, Parquet): headline columns plus the full result JSON."""
    import json
    if "reason" in item and "id" not in item:
        return {"source": item["path"], "id": None, "score": None, "band": None, "auto_fail": None,
                "error": item["reason"], "result": None}
    return {"source": item["source"], "id": item["id"], "score": item["score"], "band": item["band"],
            "auto_fail": item["auto_fail"], "error": None,
            "result": json.dumps(item, sort_keys=True, default=str)}
