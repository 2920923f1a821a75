"""``poise init``: starter files for a repository that gates its calls and call scripts in CI.

- ``poise.yaml``: every setting with its default, commented, and the CI thresholds switched on
  (``fail_under: 75``, ``fail_on: major``), the team rule folder and an ``ignore`` example;
- ``poise-rules/team.yaml``: an example team rule whose examples pass ``poise rules test``;
- ``.github/workflows/poise.yml``: a GitHub Actions workflow that runs ``poise check`` and
  uploads SARIF (code scanning) and JUnit (test report artifact).

Nothing is overwritten unless ``force`` is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .config import SETTINGS
from .errors import UsageError

CONFIG_FILE = "poise.yaml"
RULES_FILE = "poise-rules/team.yaml"
WORKFLOW_FILE = ".github/workflows/poise.yml"
STARTER_FILES = (CONFIG_FILE, RULES_FILE, WORKFLOW_FILE)

#: settings switched on in the starter config (the rest are shown commented, at their default)
ACTIVE: dict[str, Any] = {
    "rules": ["poise-rules"],
    "fail_under": 75,
    "fail_on": "major",
}

#: what to show for a setting whose default is "not set"
EXAMPLES: dict[str, Any] = {
    "scorecard": "my-scorecard.yaml",
    "model": "en_core_web_sm",
    "agent": "Agent",
    "input_format": "text",
    "group_by": "team",
    "max_drop": 5,
    "baseline": "baseline.json",
    "workers": 4,
    "fail_under": 75,
    "fail_on": "major",
}

IGNORE_EXAMPLE = '''\
ignore:
  # role-play scripts that show trainees what NOT to say are meant to be bad: every rule is
  # suppressed there (reported as suppressed, never silently dropped). Use rule ids, id prefixes
  # or categories: [rudeness, hold-etiquette.unannounced-hold]
  "scripts/training/*-bad.script.md": [all]
'''

HEADER = """\
# poise configuration, written by `poise init`.
#
# Command-line flags override these settings; `poise config show` prints the effective value
# of each and where it came from. Paths are relative to this file's folder.
# Lines starting with '#' show a setting at its default: uncomment one to change it.
"""


class InitConflict(UsageError):
    """Starter files already exist and ``force`` was not given."""

    def __init__(self, existing: list[Path]) -> None:
        self.existing = existing
        names = ", ".join(str(p) for p in existing)
        super().__init__(f"{names} already exist{'s' if len(existing) == 1 else ''}; "
                         "nothing was written (use --force to overwrite)")


def _yaml_value(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1000).strip().removesuffix("...").strip()


def config_text() -> str:
    """The starter ``poise.yaml``: one commented entry per setting in ``config.SETTINGS``."""
    parts = [HEADER]
    for key, (_kind, default, help_text) in SETTINGS.items():
        shown_default = "not set" if default is None else _yaml_value(default)
        comment = f"# {help_text[:1].upper()}{help_text[1:]}"
        lines = [comment if "default" in help_text.lower() else f"{comment}. Default: {shown_default}"]
        if key == "ignore":
            lines.append(IGNORE_EXAMPLE.rstrip("\n"))
        elif key in ACTIVE:
            lines.append(f"{key}: {_yaml_value(ACTIVE[key])}")
        elif default is None:
            example = EXAMPLES.get(key)
            lines.append(f"# {key}: {_yaml_value(example)}" if example is not None else f"# {key}:")
        else:
            lines.append(f"# {key}: {_yaml_value(default)}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


RULES_TEXT = """\
# Team rules: rules your QA team adds to the shipped packs. A rule with the id of a shipped rule
# replaces it; a new id adds a rule. Run `poise rules validate poise-rules/` and
# `poise rules test poise-rules/` after each change (CI does). See docs/rules.md.
rules:
  - id: team.internal-jargon
    category: negative-language
    polarity: deduction
    severity: minor
    message: Used internal jargon the customer may not understand
    tip: >-
      Say what will happen in the customer's words: "I'll pass this to our billing
      specialists, who will call you by Friday" instead of "I'll escalate it to tier 2".
    patterns:
      - phrases:
          - "tier 2"
          - "tier two"
          - "tier 3"
          - "tier three"
          - "per our sla"
          - "per the sla"
          - "in the crm"
          - "an rma"
          - "the rma"
          - "rma number"
          - "backend ticket"
    examples:
      match:
        - "I'll escalate this to tier 2 for you."
        - "Per our SLA that takes up to 72 hours."
        - "I've logged everything in the CRM."
        - "You'll need an RMA before you ship it back."
      no_match:
        - "I'll pass this to our billing specialists, and they'll call you by Friday."
        - "We aim to get back to you within 72 hours."
        - "I've made a note on your account."
        - "I'll email you a return label before you ship it back."
"""


WORKFLOW_TEXT = """\
# poise: score the professionalism of call transcripts and call scripts on every pull request.
# The build fails (exit 1) when a call breaks the thresholds in poise.yaml; see docs/ci.md.
name: poise

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read
  security-events: write   # upload SARIF to code scanning

jobs:
  poise:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"

      # Pin poise to the source your team uses, for example
      #   pip install "poise @ git+https://github.com/YOUR-ORG/poise@v0.1.0"
      # or a wheel from your internal package index.
      - name: Install poise
        run: pip install poise

      # poise's caches: the scores of unchanged calls (.poise-cache/, keyed by each file's
      # content, the rules and poise's code, so a stale entry is never used) and the parsed rule
      # files (~/.cache/poise). When no call changed, the check below does not even load spaCy.
      - name: Cache poise results
        uses: actions/cache@v4
        with:
          path: |
            .poise-cache
            ~/.cache/poise
          key: poise-${{ runner.os }}-${{ hashFiles('calls/**', 'scripts/**', 'poise-rules/**', 'poise.yaml') }}
          restore-keys: poise-${{ runner.os }}-

      - name: Test the team rules
        run: poise rules test poise-rules/

      # calls/ and scripts/: the folders holding your call transcripts and call scripts.
      - name: Check calls and call scripts
        run: >-
          poise check calls/ scripts/
          --format sarif --output poise.sarif
          --format junit --output poise-junit.xml

      - name: Upload SARIF to code scanning
        if: ${{ !cancelled() && hashFiles('poise.sarif') != '' }}
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: poise.sarif
          category: poise

      - name: Upload the JUnit report
        if: ${{ !cancelled() && hashFiles('poise-junit.xml') != '' }}
        uses: actions/upload-artifact@v4
        with:
          name: poise-junit
          path: poise-junit.xml
"""


def starter_files() -> dict[str, str]:
    """Relative path -> content of every file ``poise init`` writes."""
    return {CONFIG_FILE: config_text(), RULES_FILE: RULES_TEXT, WORKFLOW_FILE: WORKFLOW_TEXT}


def existing_files(directory: Path) -> list[Path]:
    directory = Path(directory)
    return [directory / name for name in STARTER_FILES if (directory / name).exists()]


def write_starter(directory: Path | str = ".", force: bool = False) -> list[Path]:
    """Write the starter files into ``directory`` (created if missing); return their paths.

    Raises InitConflict, writing nothing, when any of them exists and ``force`` is false.
    """
    from .report import atomic_write
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a folder")
    existing = existing_files(directory)
    if existing and not force:
        raise InitConflict(existing)
    written = []
    for name, text in starter_files().items():
        path = directory / name
        if path.is_dir():
            raise UsageError(f"{path} is a folder; cannot write the starter file there")
        atomic_write(path, text)
        written.append(path)
    return written
