"""JSON Lines: one JSON object per call per line, the machine contract (``id``, ``source``...)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..detect import CallAnalysis


def call_record(analysis: CallAnalysis, rules_hash: str) -> dict[str, Any]:
    t = analysis.transcript
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
        "rules_hash": rules_hash,
        "findings": [f.to_dict() for f in analysis.findings],
        "not_applicable": list(analysis.not_applicable),
    }


def write_line(record: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
