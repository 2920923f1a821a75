"""The accuracy targets on the gold set (tests/gold/): every behaviour precision >= 0.92 and
recall >= 0.85. The gold set is in-sample (the rule authors see it), so this gates regressions,
not generalisation: docs/accuracy.md has the out-of-sample figures."""

from pathlib import Path

import pytest

from poise.detect import Detector
from poise.evaluate import evaluate_files
from poise.rules import load_ruleset

GOLD = sorted((Path(__file__).parent / "gold").glob("*.jsonl"))
PRECISION, RECALL = 0.92, 0.85
BELOW_TARGET: dict[str, tuple[float, float]] = {}  # category -> (precision, recall) floor below target


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_files(GOLD, Detector(load_ruleset()))


def test_gold_set_is_large_enough():
    lines = sum(1 for path in GOLD for line in path.read_text().splitlines() if line.strip())
    assert lines >= 400


def test_every_behaviour_meets_its_precision_and_recall_target(evaluation):
    problems = []
    for c in evaluation.categories:
        if not c.support:
            continue
        precision, recall = BELOW_TARGET.get(c.category, (PRECISION, RECALL))
        if c.precision is None or c.precision < precision:
            problems.append(f"{c.category}: precision {c.precision} < {precision}")
        if c.recall < recall:
            problems.append(f"{c.category}: recall {c.recall:.3f} < {recall}")
    assert not problems, problems
