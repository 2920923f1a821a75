#!/usr/bin/env python3
"""Convert the Switchboard Dialog Act corpus (utterances.tsv) to labelled records for `poise eval`.

One record per utterance: the utterance is the labelled turn, spoken by "agent"; the previous
utterance of the same conversation (when there is one) comes first as a "customer" turn, for
rules that look at context. Labels come from the SWBD-DAMSL tag:

    fa (apology)                 -> apology
    ft (thanking)                -> courtesy
    bf (summarize/reformulate)   -> active-listening

and every record is judged on exactly those three behaviours (the tagset says nothing about the
others). Switchboard transcription markup is removed (see clean_text); the record's metadata keeps
the conversation, utterance index, original speaker, tag and the text as written.

    python eval/convert_swda.py ../shared/eval/swda-train/utterances.tsv -o /tmp/swda.jsonl
    poise eval /tmp/swda.jsonl

``--split dev`` keeps the conversations with an even ``conv_id`` (547 of the 1,115), ``--split
test`` those with an odd one (568): a split by whole conversations, so that error analysis done on
the dev half can be checked on conversations nobody looked at.

Standard library only; not part of the poise package.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator, TextIO

TAG_TO_CATEGORY = {"fa": "apology", "ft": "courtesy", "bf": "active-listening"}
JUDGED = ["apology", "courtesy", "active-listening"]
COLUMNS = ("conv_id", "utt_idx", "speaker", "text", "da_tag")

# Switchboard (LDC/MS-State/swda) transcription markup, removed in this order:
_COMMENT = re.compile(r"\s*\*.*$")                         # "* spelling: they're", "*[[...]]" comments
_DOUBLE_BRACKET = re.compile(r"\[\[.*?\]\]")               # [[transcriber notes]]
_ANGLE = re.compile(r"<<[^>]*>>|<[^>]*>")                  # <laughter>, <noise>, <<talks to child>>
_BRACE_OPEN = re.compile(r"\{[A-Z]\s*")                    # {F uh }, {D you know }, {C and }, {E I mean }, {A ... }
_DOUBLE_PAREN = re.compile(r"\(\(|\)\)")                  # ((uncertain words)) -> the words
_SLASH = re.compile(r"(?:^|\s)-?/(?=\s|$)")                # " / " slash units, " -/" incomplete
_DASHES = re.compile(r"--+")                               # "--" interruptions (single '-' stays: "th-")
_SYMBOLS = re.compile(r"[\[\]{}+#]")                       # repairs [ a + b ], overlap #, stray braces
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.?!;:])")
_REPEATED_COMMAS = re.compile(r"(,\s*){2,}")
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Plain words from a Switchboard utterance.

    Removes: transcriber comments (from '*' to the end), [[notes]], <laughter>/<noise>-style
    tags, the disfluency brackets {F ...} {D ...} {C ...} {E ...} {A ...} (keeping the words
    inside: poise strips fillers itself), repair brackets and the interruption point
    ([ I, + I ] -> "I, I"), ((uncertain)) parentheses (keeping the words), the slash-unit
    boundary '/', the incomplete-utterance marker '-/', dashes '--' and the overlap '#'.
    Then spaces before punctuation and runs of spaces are tidied.
    """
    text = _COMMENT.sub("", text)
    text = _DOUBLE_BRACKET.sub(" ", text)
    text = _ANGLE.sub(" ", text)
    text = _BRACE_OPEN.sub("", text)
    text = _DOUBLE_PAREN.sub("", text)
    text = _SLASH.sub(" ", text)
    text = _DASHES.sub(" ", text)
    text = _SYMBOLS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEATED_COMMAS.sub(", ", text)
    return text.strip(" ,")


def read_rows(handle: TextIO) -> Iterator[dict[str, str]]:
    """Rows of the TSV as dicts (it is CSV-quoted: "fo_o_fw_""_by_bc")."""
    reader = csv.reader(handle, delimiter="\t")
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise SystemExit(f"error: expected the columns {', '.join(COLUMNS)}; got {header}")
    for lineno, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise SystemExit(f"error: line {lineno}: expected {len(COLUMNS)} columns, got {len(row)}")
        yield dict(zip(COLUMNS, row))


SPLITS = ("all", "dev", "test")


def in_split(conv_id: str, split: str) -> bool:
    """Whether a conversation belongs to the split: dev = even conv_id, test = odd, all = both."""
    if split == "all":
        return True
    return (int(conv_id) % 2 == 0) == (split == "dev")


def records(rows: Iterable[dict[str, str]], stats: dict[str, int]) -> Iterator[dict]:
    """One labelled record per utterance with words left after cleaning."""
    previous: tuple[str, str] | None = None  # (conv_id, cleaned text)
    for row in rows:
        conv, text = row["conv_id"], clean_text(row["text"])
        if not text:
            stats["empty"] = stats.get("empty", 0) + 1
            continue
        turns = []
        if previous is not None and previous[0] == conv:
            turns.append({"speaker": "customer", "text": previous[1]})
        turns.append({"speaker": "agent", "text": text})
        previous = (conv, text)
        tag = row["da_tag"].strip()
        positive = [TAG_TO_CATEGORY[tag]] if tag in TAG_TO_CATEGORY else []
        for category in positive:
            stats[category] = stats.get(category, 0) + 1
        stats["records"] = stats.get("records", 0) + 1
        yield {"id": f"sw{conv}-{row['utt_idx']}",
               "metadata": {"conv_id": conv, "utt_idx": int(row["utt_idx"]),
                            "swbd_speaker": row["speaker"], "da_tag": tag, "original": row["text"]},
               "turns": turns,
               "labels": {"turn": len(turns) - 1, "positive": positive, "judged": JUDGED}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Convert Switchboard Dialog Act utterances (TSV: conv_id, utt_idx, speaker, "
                    "text, da_tag) to poise labelled JSONL: fa -> apology, ft -> courtesy, "
                    "bf -> active-listening; each record judged on those three only.")
    parser.add_argument("tsv", type=Path, help="utterances.tsv")
    parser.add_argument("-o", "--output", type=Path, help="output .jsonl (default: stdout)")
    parser.add_argument("--limit", type=int, default=None, help="convert only the first N utterances")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="dev: conversations with an even conv_id; test: odd; all (default): both")
    args = parser.parse_args(argv)
    stats: dict[str, int] = {}
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        with open(args.tsv, encoding="utf-8", newline="") as handle:
            rows = (row for row in read_rows(handle) if in_split(row["conv_id"], args.split))
            if args.limit is not None:
                rows = itertools.islice(rows, args.limit)
            for record in records(rows, stats):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    print(f"{stats.get('records', 0)} records ({stats.get('empty', 0)} utterances empty after cleaning, "
          f"skipped); positives: " + ", ".join(f"{c} {stats.get(c, 0)}" for c in JUDGED), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
