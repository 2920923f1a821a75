"""Findings: what a rule saw (or missed) in a call, with the words that prove it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. ``turn`` is the 0-based index into the call's turns, or None for a call-level
    finding (a required behaviour that never appeared, a metric over its threshold); ``start``
    and ``end`` are character offsets into that turn's text. ``kind`` is ``match``,
    ``forbidden``, ``missing`` or ``metric``."""

    rule: str
    category: str
    polarity: str
    severity: str
    turn: int | None
    speaker: str | None
    start: int | None
    end: int | None
    text: str
    message: str
    tip: str = ""
    kind: str = "match"
    link: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # every field is a str, int or None: no deep copy needed (dataclasses.asdict makes one)
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}
        if data["link"] is None:
            del data["link"]
        return data


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(slots=True)
class Candidate:
    """A match before the context checks; ``cancelled`` says why it was dropped (for explain)."""

    rule_index: int
    turn: int
    start_token: int
    end_token: int
    start: int
    end: int
    text: str
    cancelled: str | None = None
