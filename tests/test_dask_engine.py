"""``poise score --engine dask``: the same report, line for line, as the local engine.

The comparisons need ``dask[distributed]`` (in the ``test`` extra) and skip without it. Each run
uses a snapshot of the shipped rule packs (``--no-default-rules --rules COPY``): the rules are
the same for both engines, and the snapshot cannot change between the local run, this process's
Scorer and the workers' Scorers (a rule file edited mid-run makes the workers refuse to score).
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from conftest import ROOT, SAMPLES

GOOD = "Agent: Thank you for calling, how can I help?\nCustomer: My bill is wrong.\n"


@pytest.fixture
def rules_args(tmp_path, monkeypatch):
    """Options naming a private copy of the shipped packs; cwd is tmp_path (its .poise-cache)."""
    snapshot = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", snapshot)
    monkeypatch.chdir(tmp_path)
    return ["--no-default-rules", "--rules", str(snapshot), "--scorecard", str(snapshot / "scorecard.yaml"),
            "--no-cache", "--format", "jsonl"]


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed "
                                      "(pip install -e '.[test]' or 'poise[dask]')")
    import logging
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local


def _unreadable_lines(stderr: str) -> list[str]:
    return sorted(line.strip() for line in stderr.splitlines() if "bad.json" in line or "missing.txt" in line)


def test_dask_engine_gives_the_local_engines_jsonl_line_for_line(rules_args, run_cli):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed "
                        "(pip install -e '.[test]' or 'poise[dask]')")
    local = run_cli("score", SAMPLES, *rules_args)
    dask = run_cli("score", SAMPLES, *rules_args, "--engine", "dask", "--workers", "2")  # its own LocalCluster
    assert local.exit_code == 0, local.stderr
    assert dask.exit_code == 0, dask.stderr
    lines = dask.stdout.splitlines()
    assert len(lines) >= 15 and lines == local.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines]  # real records, in input order


def test_unreadable_files_are_reported_the_same_on_a_scheduler(cluster, rules_args, run_cli, tmp_path):
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a-good.txt").write_text(GOOD)
    (tmp_path / "calls" / "bad.json").write_text("{nope")
    (tmp_path / "calls" / "c-good.txt").write_text(GOOD + "Agent: I'm sorry, let me fix that for you now.\n")
    inputs = [tmp_path / "calls", tmp_path / "missing.txt"]
    local = run_cli("score", *inputs, *rules_args)
    dask = run_cli("score", *inputs, *rules_args, "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert local.exit_code == dask.exit_code == 3
    assert dask.stdout == local.stdout
    assert [json.loads(line)["id"] for line in dask.stdout.splitlines()] == ["a-good", "c-good"]
    problems = _unreadable_lines(dask.stderr)
    assert problems == _unreadable_lines(local.stderr)
    assert any("bad.json" in p and "malformed JSON" in p for p in problems)
    assert any("missing.txt" in p for p in problems)


def test_without_dask_the_engine_says_how_to_install_it(monkeypatch, run_cli):
    from poise.engines import dask_engine
    from poise.errors import UsageError
    monkeypatch.setitem(sys.modules, "distributed", None)  # "import distributed" now fails
    with pytest.raises(UsageError) as caught:
        list(dask_engine.score_files({}, ["x.txt"]))
    assert str(caught.value) == "--engine dask needs the dask extra: pip install 'poise[dask]'"
    result = run_cli("score", SAMPLES, "--engine", "dask")
    assert result.exit_code == 2 and "needs the dask extra" in result.stderr


def test_scheduler_needs_the_dask_engine(run_cli):
    result = run_cli("score", SAMPLES, "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2 and "--scheduler needs --engine dask" in result.stderr


def test_partitions_keep_input_order():
    from poise.engines.dask_engine import partitions
    files = [f"f{i}" for i in range(10)]
    assert partitions(files, threads=2, size=3) == [files[0:3], files[3:6], files[6:9], files[9:]]
    auto = partitions(files, threads=2)
    assert [f for part in auto for f in part] == files and all(len(p) <= 2 for p in auto)
