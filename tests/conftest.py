"""Shared test helpers: running the CLI in-process, an 80-column screen, locating ../shared data."""

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


def billing_call(call_id: str, good: bool) -> str:
    """A short text call (front matter: id, agent, team) about a double charge: handled badly
    (blame, "calm down", a phone and a card number to mask) or well (apology, empathy,
    ownership, next steps). The report tests score these."""
    if not good:
        return f"""---
id: {call_id}
agent: Dana
team: Billing
---
Agent: Thank you for calling Acme, my name is Dana, how can I help?
Customer: This is ridiculous, you charged me twice! Call me back on 555-867-5309.
Agent: You should have read the terms. Calm down.
Customer: My card is 4111 1111 1111 1111.
Agent: Okay. Bye.
"""
    return f"""---
id: {call_id}
agent: Sam
team: Care
---
Agent: Thank you for calling Acme, this is Sam, how can I help you today?
Customer: I was charged twice this month and I'm really frustrated.
Agent: I'm so sorry for the double charge, I completely understand how frustrating that is.
Agent: Let me fix that for you right now. I'll refund the extra charge, and you'll see it within 3 to 5 business days.
Customer: Thank you.
Agent: Thanks for calling Acme, have a great day!
"""


@pytest.fixture
def screen(capsys, monkeypatch):
    """capsys at 80 columns, no colour, the cached consoles rebuilt so capsys sees them."""
    from poise.report import console
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    console.cache_clear()
    yield capsys
    console.cache_clear()


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
