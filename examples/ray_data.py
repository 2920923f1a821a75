"""Score native-JSON transcripts with Ray Data (``map_batches`` over a pool of actors).

    pip install poise 'ray[data]'
    python examples/ray_data.py calls.jsonl results.parquet          # local Ray, 2 actors
    python examples/ray_data.py 's3://bucket/calls/' s3://bucket/scores/ --address auto --actors 32

Input: JSON Lines files, one poise native transcript per line (``{"id": ..., "metadata": {...},
"turns": [{"speaker": "agent", "text": ...}, ...]}``; give every call an ``id``). Output: one
row per call - ``source, id, score, band, auto_fail, error, result`` where ``result`` is the
full result as JSON (``CallResult.to_dict(with_turns=True)``) and ``error`` says why a line
could not be read.

How it works: the driver builds nothing but ``settings`` (``Scorer.settings()``: rule folders,
scorecard, options - plain, picklable values). Ray starts ``--actors`` long-lived actors; each
builds its Scorer once in ``__init__`` (spaCy and the compiled rules: about a second) and then
scores every batch it is given. Rule folders and the scorecard must exist at the same paths on
every Ray node (the shipped packs are inside the poise package, so the defaults always do).
Ray Data does not keep row order unless ``DataContext.get_current().execution_options
.preserve_order = True``; join on ``id``.
"""

from __future__ import annotations

import argparse
from typing import Any, Mapping

from poise.api import Scorer
from poise.engines import result_row, score_json

COLUMNS = ("source", "id", "score", "band", "auto_fail", "error", "result")


class ScoreBatch:
    """The ``map_batches`` callable: one Scorer per actor, built from the driver's settings."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.scorer = Scorer(**settings)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        texts = batch["text"]
        sources = batch["path"] if "path" in batch else [f"row-{i}.json" for i in range(len(texts))]
        rows = [result_row(item) for text, source in zip(texts, sources)
                for item in score_json(self.scorer, str(text), str(source))]
        return {column: [row[column] for row in rows] for column in COLUMNS}


def score_dataset(ds: Any, settings: Mapping[str, Any], actors: int = 2, batch_size: int = 64) -> Any:
    """``ds`` has a ``text`` column of native-JSON transcripts (and optionally ``path``)."""
    return ds.map_batches(ScoreBatch, fn_constructor_kwargs={"settings": dict(settings)},
                          concurrency=actors, batch_size=batch_size, batch_format="numpy")


def main(argv: list[str] | None = None) -> None:
    import ray

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="JSON Lines files or folders (local or s3://...)")
    parser.add_argument("output", help="a folder for the Parquet result files")
    parser.add_argument("--address", help="a Ray cluster (e.g. auto); default: start Ray here")
    parser.add_argument("--actors", type=int, default=2, help="scoring actors (one Scorer each)")
    parser.add_argument("--rules", action="append", default=[], help="extra rule folder (same path on every node)")
    args = parser.parse_args(argv)

    from pathlib import Path
    settings = Scorer(rule_dirs=[Path(r) for r in args.rules]).settings()
    ray.init(address=args.address)
    ds = ray.data.read_text(args.inputs, include_paths=True)
    score_dataset(ds, settings, actors=args.actors).write_parquet(args.output)


if __name__ == "__main__":
    main()
