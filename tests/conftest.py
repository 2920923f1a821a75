"""Shared test helpers: running the CLI in-process, locating ../shared data."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# The rule cache (poise/rules/cache.py) lives in the user's cache folder; tests, and the CLI
# processes they start, keep theirs in a throwaway folder of the test run.
os.environ["POISE_CACHE_DIR"] = tempfile.mkdtemp(prefix="poise-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "sample_transcripts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``poise ARGS`` in-process through the real entry point; return code and output."""
    from poise import cli
    from poise.report import console

    def run(*args: str) -> CliResult:
        console.cache_clear()
        monkeypatch.setattr(sys, "argv", ["poise", *map(str, args)])
        monkeypatch.setenv("COLUMNS", "160")
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        console.cache_clear()
        return CliResult(code, captured.out, captured.err)

    return run


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is absent)")
    return path
