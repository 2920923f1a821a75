"""The transcript model: a call is a list of turns, each spoken by an agent, a customer or someone else."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping

Role = Literal["agent", "customer", "other"]
ROLES: tuple[Role, ...] = ("agent", "customer", "other")


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn.

    ``speaker`` is the role (agent, customer or other); ``label`` is the speaker name as written
    in the source ("Rep", "spk_0", "AGENT"). ``start``/``end`` are seconds from the start of
    the call, or None when the source has no timings. ``line`` is the 1-based line of the turn
    in a text source (for file:line locations), ``extra`` holds what a vendor adds per turn
    (sentiment, word timings...).
    """

    speaker: Role
    label: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return max(0.0, self.end - self.start)


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """How speaker roles were decided, reported in the output (never silent).

    ``method`` is ``source`` (the format says who is who), ``alias`` (labels such as Rep or
    Caller), ``option`` (``--agent LABEL``), ``heuristic`` (who greets and offers help) or
    ``none`` (no agent could be identified).
    """

    method: str
    confidence: float = 1.0
    agent_label: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "confidence": round(self.confidence, 2),
            "agent_label": self.agent_label,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Transcript:
    """A call: id, metadata from the source (agent, team, queue, date...), and turns."""

    id: str
    turns: tuple[Turn, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    format: str = ""
    roles: RoleAssignment = field(default_factory=lambda: RoleAssignment("source"))
    warnings: tuple[str, ...] = ()

    def with_(self, **changes: Any) -> "Transcript":
        return replace(self, **changes)

    @property
    def has_agent(self) -> bool:
        return any(t.speaker == "agent" for t in self.turns)

    @property
    def has_timings(self) -> bool:
        return any(t.start is not None for t in self.turns)

    @property
    def duration(self) -> float | None:
        ends = [t.end if t.end is not None else t.start for t in self.turns]
        starts = [t.start for t in self.turns if t.start is not None]
        ends = [e for e in ends if e is not None]
        if not starts or not ends:
            return None
        return max(ends) - min(0.0, min(starts))

    @property
    def word_count(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)

    def speakers_found(self) -> list[str]:
        return sorted({t.speaker for t in self.turns})
