"""Building detectors from inline YAML and calls from (speaker, text) pairs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from poise.detect import Detector
from poise.rules import load_rules
from poise.transcript import RoleAssignment, Transcript, Turn


def detector(tmp_path: Path, yaml_text: str, **kwargs) -> Detector:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(textwrap.dedent(yaml_text))
    return Detector(load_rules([folder]), **kwargs)


def call(*turns: tuple[str, str]) -> Transcript:
    return Transcript("t", tuple(Turn(speaker, speaker.title(), text) for speaker, text in turns),
                      roles=RoleAssignment("source"))


def fired(det: Detector, transcript: Transcript) -> list[tuple[str, int | None, str]]:
    return [(f.rule, f.turn, f.text) for f in det.analyze(transcript).findings]
