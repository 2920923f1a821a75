"""examples/ray_data.py and examples/spark_mapinpandas.py give the local engine's results.

The Ray test needs ``ray[data]`` and the Spark test ``pandas`` (neither is in the ``test`` extra:
Ray is a large install); each skips without them. The Spark test calls the ``mapInPandas``
function on pandas batches directly - the Spark plumbing itself is not exercised here.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

CALLS = SAMPLES / "short_calls.jsonl"  # three native-JSON calls, one per line, each with an id


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"poise_example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def settings_and_expected(tmp_path_factory):
    """Settings naming a snapshot of the shipped packs, and the local engine's results by id."""
    from poise.api import Scorer
    snapshot = tmp_path_factory.mktemp("scale") / "rules"
    shutil.copytree(ROOT / "rules", snapshot)
    scorer = Scorer(rule_dirs=[snapshot], default_rules=False, scorecard_path=snapshot / "scorecard.yaml")
    expected = {r.id: _comparable(r.to_dict(with_turns=True)) for r in scorer.score_path(CALLS)}
    assert len(expected) == 3
    return scorer.settings(), expected


def _comparable(result: dict) -> dict:
    data = json.loads(json.dumps(result, sort_keys=True, default=str))
    data.pop("source")  # a file path for the local engine, the row's source for the examples
    return data


def _lines() -> list[str]:
    return [line for line in CALLS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ray_data_example_scores_like_the_local_engine(settings_and_expected):
    ray = pytest.importorskip("ray", reason="ray[data] is not installed (pip install 'ray[data]')")
    pytest.importorskip("ray.data")
    from ray import cloudpickle
    settings, expected = settings_and_expected
    example = _example("ray_data")
    cloudpickle.register_pickle_by_value(example)  # the example is not importable on Ray's workers
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        ds = ray.data.from_items([{"text": line, "path": f"calls-{n}.json"} for n, line in enumerate(_lines())])
        rows = example.score_dataset(ds, settings, actors=1).take_all()
    finally:
        ray.shutdown()
    assert sorted(r["id"] for r in rows) == sorted(expected)
    for row in rows:
        assert row["error"] is None and row["score"] == expected[row["id"]]["score"]
        assert _comparable(json.loads(row["result"])) == expected[row["id"]]


def test_spark_mapinpandas_function_scores_like_the_local_engine(settings_and_expected):
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    settings, expected = settings_and_expected
    fn = _example("spark_mapinpandas").make_scorer_fn(settings)
    lines = _lines()
    batches = [pd.DataFrame({"value": lines[:2], "source": ["part-0.jsonl", "part-0.jsonl"]}),
               pd.DataFrame({"value": [lines[2], "{not json"], "source": ["part-1.jsonl", "part-1.jsonl"]})]
    frames = list(fn(iter(batches)))
    rows = [row for frame in frames for row in frame.to_dict("records")]
    assert [r["id"] for r in rows[:3]] == list(expected)  # batch order kept within a partition
    for row in rows[:3]:
        assert _comparable(json.loads(row["result"])) == expected[row["id"]]
    assert rows[3]["source"] == "part-1.jsonl" and "malformed JSON" in rows[3]["error"]
