"""The JSON report: one document with ``schema_version``, the rules hash, poise version, a
summary, every call with its findings and sections, and the unreadable files
(JSON Schema: ``poise/schemas/report.schema.json``)."""

from __future__ import annotations

import json
from typing import Sequence

from ..results import SCHEMA_VERSION, CallResult, summary
from . import ReportContext


def render(results: Sequence[CallResult], errors: Sequence, ctx: ReportContext) -> str:
    doc = {
        "schema_version": SCHEMA_VERSION,
        "poise_version": ctx.poise_version,
        "rules_hash": ctx.rules_hash,
        "scorecard": {"name": ctx.scorecard_name, "hash": ctx.scorecard_hash},
        "redacted": ctx.redacted,
        "summary": summary(results, len(errors)),
        "calls": [r.to_dict() for r in results],
        "errors": [e.to_dict() for e in errors],
    }
    if ctx.gate:
        doc["gate"] = ctx.gate
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
