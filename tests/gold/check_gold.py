"""Validate the hand-labelled gold set and print per-behaviour counts.

    python3 tests/gold/check_gold.py            # all tests/gold/*.jsonl
    python3 tests/gold/check_gold.py FILE...    # only these files

Exit status 1 when a record breaks the format described in tests/gold/README.md.
Standard library only; not collected by pytest (the name does not start with test_).
"""

from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

BEHAVIOURS = (
    "apology", "non-apology", "empathy", "active-listening", "de-escalation",
    "escalation-trigger", "ownership", "courtesy", "blame", "rudeness", "negative-language",
    "next-steps", "greeting", "closing", "hold-etiquette", "verification",
)
SPEAKERS = {"agent", "customer", "other"}
LABEL_KEYS = {"turn", "positive", "judged", "politeness", "hard_negative", "note"}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def check(paths: list[Path]) -> int:
    errors: list[str] = []
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    positives: collections.Counter[str] = collections.Counter()
    judged_n: collections.Counter[str] = collections.Counter()
    hard: collections.Counter[str] = collections.Counter()
    total = empty = 0
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            total += 1
            rid = rec.get("id")
            if not isinstance(rid, str) or not rid:
                errors.append(f"{where}: missing id")
            elif rid in ids:
                errors.append(f"{where}: id {rid} already used at {ids[rid]}")
            else:
                ids[rid] = where
            turns = rec.get("turns")
            if not isinstance(turns, list) or not turns:
                errors.append(f"{where}: turns must be a non-empty list")
                continue
            for i, turn in enumerate(turns):
                if turn.get("speaker") not in SPEAKERS:
                    errors.append(f"{where}: turn {i} speaker {turn.get('speaker')!r}")
                if not isinstance(turn.get("text"), str) or not turn["text"].strip():
                    errors.append(f"{where}: turn {i} has empty text (poise drops it, shifting indices)")
            labels = rec.get("labels")
            if not isinstance(labels, dict):
                errors.append(f"{where}: missing labels")
                continue
            unknown = set(labels) - LABEL_KEYS
            if unknown:
                errors.append(f"{where}: unknown label keys {sorted(unknown)}")
            t = labels.get("turn")
            if not isinstance(t, int) or not 0 <= t < len(turns):
                errors.append(f"{where}: labels.turn {t!r} out of range")
                continue
            if turns[t].get("speaker") != "agent":
                errors.append(f"{where}: labels.turn {t} is not an agent turn")
            pos = labels.get("positive")
            if not isinstance(pos, list):
                errors.append(f"{where}: labels.positive must be a list")
                continue
            judged = labels.get("judged", list(BEHAVIOURS))
            hn = labels.get("hard_negative", [])
            for name, values in (("positive", pos), ("judged", judged), ("hard_negative", hn)):
                bad = [v for v in values if v not in BEHAVIOURS]
                if bad:
                    errors.append(f"{where}: unknown behaviour(s) in {name}: {bad}")
                if len(set(values)) != len(values):
                    errors.append(f"{where}: duplicate behaviour in {name}")
            if set(pos) - set(judged):
                errors.append(f"{where}: positive not in judged: {sorted(set(pos) - set(judged))}")
            if set(hn) & set(pos):
                errors.append(f"{where}: hard_negative overlaps positive: {sorted(set(hn) & set(pos))}")
            if set(hn) - set(judged):
                errors.append(f"{where}: hard_negative not in judged: {sorted(set(hn) - set(judged))}")
            key = _norm(turns[t]["text"])
            if key in texts:
                errors.append(f"{where}: agent text duplicates {texts[key]}")
            texts[key] = where
            positives.update(pos)
            judged_n.update(judged)
            hard.update(hn)
            empty += not pos
    print(f"{total} records in {len(paths)} files; {empty} with no behaviour")
    print(f"{'behaviour':20} {'positive':>8} {'negative':>8} {'hard-neg':>8}")
    for b in BEHAVIOURS:
        print(f"{b:20} {positives[b]:8d} {judged_n[b] - positives[b]:8d} {hard[b]:8d}")
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    files = [Path(p) for p in sys.argv[1:]] or sorted(here.glob("*.jsonl"))
    sys.exit(check(files))
