"""JSON Lines: one JSON object per call per line, the streaming machine contract.

Each line is ``CallResult.to_dict()``: ``id``, ``source``, ``score``, ``band``, ``findings``
(``rule``, ``category``, ``polarity``, ``severity``, ``turn``, ``speaker``, ``start``, ``end``,
``text``, ``message``...), ``sections``... plus ``rules_hash``. Unreadable files are not lines
here (they go to stderr and to the JSON report's ``errors``).
"""

from __future__ import annotations

import json
from typing import Sequence

from ..results import CallResult
from . import ReportContext


def line(result: CallResult, ctx: ReportContext) -> str:
    record = result.to_dict()
    record["rules_hash"] = ctx.rules_hash
    return json.dumps(record, ensure_ascii=False, default=str) + "\n"


def render(results: Sequence[CallResult], errors: Sequence, ctx: ReportContext) -> str:
    return "".join(line(r, ctx) for r in results)
