#!/usr/bin/env python3
"""Convert the Stanford Politeness Corpus (wikipedia.annotated.csv or stack-exchange.annotated.csv)
to labelled records for `poise eval`.

One record per request: a single "agent" turn holding the request, with

    labels: {"turn": 0, "politeness": <Normalized Score>, "judged": []}

`judged: []` because the corpus labels politeness as a whole, not poise's behaviours: the records
count only in the politeness task (top vs bottom quartile of the score, predicted from poise's
findings). The request text is kept as written (including the corpus's <url> placeholders).

    python eval/convert_politeness.py ../shared/eval/politeness-wikipedia/wikipedia.annotated.csv \\
        -o /tmp/politeness.jsonl
    poise eval /tmp/politeness.jsonl

Standard library only; not part of the poise package.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Iterable, Iterator, TextIO

REQUIRED = ("Id", "Request", "Normalized Score")


def read_rows(handle: TextIO) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SystemExit(f"error: missing column(s) {', '.join(missing)}; found {reader.fieldnames}")
    yield from reader


SPLITS = ("all", "dev", "test")


def split_rows(rows: Iterable[dict[str, str]], split: str) -> Iterator[dict[str, str]]:
    """Alternate rows: dev = the 1st, 3rd, 5th... row of the file, test = the 2nd, 4th...; all = every row."""
    for index, row in enumerate(rows):
        if split == "all" or (index % 2 == 0) == (split == "dev"):
            yield row


def records(rows: Iterable[dict[str, str]], stats: dict[str, int]) -> Iterator[dict]:
    for row in rows:
        text = (row["Request"] or "").strip()
        try:
            score = float(row["Normalized Score"])
        except (TypeError, ValueError):
            stats["skipped"] = stats.get("skipped", 0) + 1
            continue
        if not text:
            stats["skipped"] = stats.get("skipped", 0) + 1
            continue
        stats["records"] = stats.get("records", 0) + 1
        community = (row.get("Community") or "").strip()
        yield {"id": f"{community.lower() or 'politeness'}-{row['Id']}",
               "metadata": {"community": community, "request_id": row["Id"]},
               "turns": [{"speaker": "agent", "text": text}],
               "labels": {"turn": 0, "politeness": score, "judged": []}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert the Stanford Politeness Corpus CSV (columns Community, Id, Request, "
                    "Score1-5, TurkId1-5, Normalized Score) to poise labelled JSONL: one agent turn "
                    "per request, labels {turn: 0, politeness: <Normalized Score>, judged: []}.")
    parser.add_argument("csv", type=Path, help="wikipedia.annotated.csv")
    parser.add_argument("-o", "--output", type=Path, help="output .jsonl (default: stdout)")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="dev: the odd-numbered rows (1st, 3rd...); test: the even-numbered ones; "
                             "all (default): every row")
    args = parser.parse_args(argv)
    stats: dict[str, int] = {}
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        with open(args.csv, encoding="utf-8", newline="") as handle:
            for record in records(split_rows(read_rows(handle), args.split), stats):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    print(f"{stats.get('records', 0)} records ({stats.get('skipped', 0)} rows without text or score, "
          "skipped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
