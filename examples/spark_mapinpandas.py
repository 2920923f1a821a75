"""Score native-JSON transcripts with PySpark (``DataFrame.mapInPandas``).

    pip install poise pyspark pandas pyarrow       # poise must be installed on every executor
    spark-submit examples/spark_mapinpandas.py calls.jsonl results/             # local[*]
    spark-submit --master yarn examples/spark_mapinpandas.py 's3a://bucket/calls/*.jsonl' 's3a://bucket/scores/'

Input: JSON Lines, one poise native transcript per line (give every call an ``id``). Output: a
Parquet folder, one row per call: ``source, id, score, band, auto_fail, error, result`` where
``result`` is the full result as JSON (``CallResult.to_dict(with_turns=True)``) and ``error``
says why a line could not be read (the job goes on).

How it works: the driver sends only ``settings`` (``Scorer.settings()``: plain, picklable
values) inside the closure. ``score_partition`` runs once per partition on an executor's Python
worker; ``scorer_for`` builds the Scorer on first use and caches it in that Python process
(Spark reuses Python workers, ``spark.python.worker.reuse`` is on by default), so spaCy and the
rules load once per worker, not once per row or per partition. Rule folders and the scorecard
must exist at the same paths on every executor (the shipped packs live inside the poise
package, so the defaults always do).
"""

from __future__ import annotations

import argparse
from typing import Any, Iterator, Mapping

from poise.engines import RESULT_SCHEMA, result_row, score_json, scorer_for


def make_scorer_fn(settings: Mapping[str, Any], text_column: str = "value", source_column: str = "source"):
    """The ``mapInPandas`` function: pandas batches of transcript rows in, result rows out."""
    settings = dict(settings)

    def score_partition(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd
        scorer = scorer_for(settings)  # once per Python worker process, then cached
        for batch in batches:
            sources = batch[source_column] if source_column in batch else [f"row-{i}.json" for i in range(len(batch))]
            rows = [result_row(item) for text, source in zip(batch[text_column], sources)
                    for item in score_json(scorer, str(text), str(source))]
            frame = pd.DataFrame(rows, columns=[c.split()[0] for c in RESULT_SCHEMA.split(", ")])
            yield frame.astype({"score": "Float64"})  # a call without a score: null, not NaN

    return score_partition


def score_dataframe(df: Any, settings: Mapping[str, Any], text_column: str = "value") -> Any:
    """``df`` has one native-JSON transcript per row in ``text_column`` (``spark.read.text`` gives
    ``value``) and optionally a ``source`` column; returns a DataFrame of RESULT_SCHEMA."""
    return df.mapInPandas(make_scorer_fn(settings, text_column), schema=RESULT_SCHEMA)


def main(argv: list[str] | None = None) -> None:
    from pathlib import Path

    from pyspark.sql import SparkSession, functions as F

    from poise.api import Scorer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="JSON Lines files or globs (any Hadoop filesystem)")
    parser.add_argument("output", help="a folder for the Parquet results")
    parser.add_argument("--rules", action="append", default=[], help="extra rule folder (same path on every executor)")
    parser.add_argument("--partitions", type=int, default=0, help="repartition the input first (0: keep)")
    args = parser.parse_args(argv)

    settings = Scorer(rule_dirs=[Path(r) for r in args.rules]).settings()  # checks the rules here first
    spark = SparkSession.builder.appName("poise-score").getOrCreate()
    # one row per line: "value"; the file it came from (Spark >= 3.3) names the calls' source
    df = spark.read.text(args.inputs).select("value", F.col("_metadata.file_path").alias("source"))
    if args.partitions:
        df = df.repartition(args.partitions)
    score_dataframe(df, settings).write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
