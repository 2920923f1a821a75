"""JSON Lines: one JSON object per call per line, the machine contract (``id``, ``source``...)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..transcript import Transcript


def call_record(t: Transcript) -> dict[str, Any]:
    return {
        "id": t.id,
        "source": t.source,
        "format": t.format,
        "metadata": dict(t.metadata),
        "roles": t.roles.to_dict(),
        "turns": len(t.turns),
        "words": t.word_count,
        "duration": t.duration,
        "speakers": t.speakers_found(),
        "warnings": list(t.warnings),
    }


def write_line(record: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
