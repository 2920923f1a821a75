#!/usr/bin/env python3
"""The best F1 any method that reads only an utterance's words can reach on a Switchboard tag.

Switchboard's coders heard the audio and knew the conversation; the same words ("I'm sorry.",
"Excuse me.") carry different tags in different places. A method that sees only the words must
give identical words the same answer, so its F1 on a tag is at most what the best choice of
*which distinct texts to call positive* gives: group the utterances by their words (cleaned as
convert_swda.py cleans them, lower-cased, punctuation dropped), and call a group positive when
that raises F1. Taking the groups in order of their share of positives and keeping the best
prefix is that best choice (F1 is maximised by a threshold on the groups' positive rate).

It is a ceiling fitted to the labels themselves (it memorises every text, garbled ones too), so
no rule set gets near it without fitting the sample; the gap between it and a target says how
much room there is.

    python eval/swda_ceiling.py ../shared/eval/swda-train/utterances.tsv            # fa: apology
    python eval/swda_ceiling.py ../shared/eval/swda-train/utterances.tsv --tag ft --split dev

Standard library only; not part of the poise package.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("convert_swda", _HERE / "convert_swda.py")
convert_swda = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(convert_swda)  # type: ignore[union-attr]

_NOT_WORD = re.compile(r"[^\w' ]+")


def words_of(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", convert_swda.clean_text(text).lower()).split())


def ceiling(rows: Iterable[dict[str, str]], tag: str) -> dict:
    """The best text-only F1 for ``tag``, with the texts it calls positive."""
    positive: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    for row in rows:
        text = words_of(row["text"])
        if not text:
            continue
        (positive if row["da_tag"].strip() == tag else negative)[text] += 1
    support = sum(positive.values())
    groups = sorted(positive, key=lambda t: (-positive[t] / (positive[t] + negative[t]), t))
    best = {"f1": 0.0, "tp": 0, "fp": 0, "texts": []}
    tp = fp = 0
    for n, text in enumerate(groups, start=1):
        tp, fp = tp + positive[text], fp + negative[text]
        f1 = 2 * tp / (2 * tp + fp + (support - tp))
        if f1 > best["f1"]:
            best = {"f1": f1, "tp": tp, "fp": fp, "texts": groups[:n]}
    conflicts = sorted(((positive[t], negative[t], t) for t in positive if negative[t]), key=lambda g: -g[0] - g[1])
    return {"tag": tag, "support": support, "f1": round(best["f1"], 4), "tp": best["tp"], "fp": best["fp"],
            "fn": support - best["tp"], "positive_texts": len(best["texts"]), "conflicts": conflicts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The best F1 a text-only method can reach on a Switchboard tag.")
    parser.add_argument("tsv", type=Path, help="utterances.tsv")
    parser.add_argument("--tag", default="fa", help="the SWBD-DAMSL tag (default fa: apology)")
    parser.add_argument("--split", choices=convert_swda.SPLITS, default="all", help="as convert_swda.py")
    args = parser.parse_args(argv)
    with args.tsv.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in convert_swda.read_rows(handle) if convert_swda.in_split(r["conv_id"], args.split)]
    res = ceiling(rows, args.tag)
    print(f"{args.tag} ({args.split}): {res['support']} positives; best text-only F1 {res['f1']:.3f} "
          f"(TP {res['tp']}, FP {res['fp']}, FN {res['fn']}, calling {res['positive_texts']} distinct texts positive)")
    print("texts tagged both ways (positive, other, words):")
    for pos, neg, text in res["conflicts"][:12]:
        print(f"  {pos:>4} {neg:>5}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
