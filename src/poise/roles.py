"""Deciding who is the agent: from the source, from speaker aliases, from ``--agent``, or by a
reported heuristic (who greets with the company name, who asks how they can help)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Mapping

from .transcript import Role, RoleAssignment, Transcript, Turn

#: Built-in speaker aliases (lower-case label -> role). Users add theirs in config.
DEFAULT_ALIASES: dict[str, Role] = {
    **{k: "agent" for k in (
        "agent", "rep", "representative", "csr", "advisor", "adviser", "associate", "operator",
        "specialist", "support", "staff", "consultant", "banker", "technician", "tech",
        "internal", "employee", "human_agent", "human agent", "service", "care", "moderator",
    )},
    **{k: "customer" for k in (
        "customer", "caller", "client", "member", "guest", "user", "end_user", "end user",
        "external", "consumer", "patient", "passenger", "policyholder", "subscriber", "visitor",
        "cust", "end-user",
    )},
    **{k: "other" for k in ("system", "ivr", "bot", "virtual agent", "virtual_agent",
                            "automated", "announcement", "supervisor note")},
}

_AGENT_CUES = re.compile(
    r"\b(thank(s| you) for (calling|contacting|holding|choosing)|how (can|may|might) i (help|assist)"
    r"|what can i do for you|my name is|this is \w+ (from|with|at)|you'?ve reached|speaking[,.]"
    r"|welcome to|for security|verify your)\b",
    re.IGNORECASE,
)
_CUSTOMER_CUES = re.compile(
    r"\b(i'?m calling (about|because|to)|my (bill|account|order|card|internet|phone|package)"
    r"|i (have|had|got) a problem|i want to (cancel|speak|complain))\b",
    re.IGNORECASE,
)


def normalise_label(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def role_from_label(label: str, aliases: Mapping[str, str] | None = None) -> Role | None:
    """The role an alias table gives a label, ignoring numbering ("Agent 2", "Caller_1")."""
    table = {**DEFAULT_ALIASES, **{normalise_label(k): v for k, v in (aliases or {}).items()}}
    key = normalise_label(label)
    if key in table:
        return table[key]  # type: ignore[return-value]
    base = re.sub(r"[\s_-]*\d+$", "", key)
    if base in table:
        return table[base]  # type: ignore[return-value]
    first = re.split(r"[\s_:-]+", key, maxsplit=1)[0]  # "Agent Priya", "customer_helen"
    if first != key and first in table:
        return table[first]  # type: ignore[return-value]
    return None


def assign_roles(transcript: Transcript, aliases: Mapping[str, str] | None = None,
                 agent_label: str | None = None) -> Transcript:
    """Fill in roles for turns whose loader left them as ``other`` with an unknown label.

    Loaders set ``RoleAssignment("source")`` when the format names roles; this function only
    acts on transcripts whose roles are still undecided (``method == "pending"``).
    """
    if transcript.roles.method != "pending":
        return transcript
    labels = list(dict.fromkeys(t.label for t in transcript.turns))
    if agent_label is not None:
        wanted = normalise_label(agent_label)
        if wanted not in {normalise_label(label) for label in labels}:
            return _with_roles(transcript, {}, RoleAssignment(
                "none", 0.0, None, f"--agent {agent_label!r} is not a speaker in this call "
                f"(speakers: {', '.join(labels)})"))
        mapping = {label: ("agent" if normalise_label(label) == wanted else
                           _other_role(label, aliases)) for label in labels}
        return _with_roles(transcript, mapping, RoleAssignment("option", 1.0, agent_label))

    mapping = {label: role_from_label(label, aliases) for label in labels}
    if any(role == "agent" for role in mapping.values()):
        resolved = {label: role or "other" for label, role in mapping.items()}
        # two speakers, one known agent, the other unknown: the other is the customer
        unknown = [label for label, role in mapping.items() if role is None]
        if len(labels) == 2 and len(unknown) == 1:
            resolved[unknown[0]] = "customer"
        agent = next(label for label, role in resolved.items() if role == "agent")
        return _with_roles(transcript, resolved, RoleAssignment("alias", 1.0, agent))
    return _guess_roles(transcript, labels, mapping)


def _other_role(label: str, aliases: Mapping[str, str] | None) -> Role:
    role = role_from_label(label, aliases)
    return "customer" if role in (None, "agent", "customer") else role


def _guess_roles(transcript: Transcript, labels: list[str],
                 mapping: Mapping[str, Role | None]) -> Transcript:
    """Score each unknown speaker by agent-like and customer-like phrases, early turns weighted."""
    score: dict[str, float] = defaultdict(float)
    for index, turn in enumerate(transcript.turns):
        if mapping.get(turn.label) is not None:
            continue
        weight = 2.0 if index < 4 else 1.0
        score[turn.label] += weight * len(_AGENT_CUES.findall(turn.text))
        score[turn.label] -= weight * len(_CUSTOMER_CUES.findall(turn.text))
    candidates = [label for label in labels if mapping.get(label) is None]
    if not candidates or max(score[c] for c in candidates) <= 0:
        resolved = {label: mapping.get(label) or "other" for label in labels}
        return _with_roles(transcript, resolved, RoleAssignment(
            "none", 0.0, None, "no speaker could be identified as the agent; use --agent LABEL "
            "or a speaker alias in poise.yaml"))
    ranked = sorted(candidates, key=lambda c: score[c], reverse=True)
    agent = ranked[0]
    runner_up = score[ranked[1]] if len(ranked) > 1 else 0.0
    margin = score[agent] - max(runner_up, 0.0)
    confidence = min(0.95, 0.5 + 0.15 * margin)
    resolved = {label: mapping.get(label) or ("agent" if label == agent else "customer")
                for label in labels}
    return _with_roles(transcript, resolved, RoleAssignment(
        "heuristic", confidence, agent,
        f"guessed {agent!r} is the agent (greets, offers help); use --agent to override"))


def _with_roles(transcript: Transcript, mapping: Mapping[str, Role],
                assignment: RoleAssignment) -> Transcript:
    turns = tuple(replace(t, speaker=mapping.get(t.label, t.speaker)) for t in transcript.turns)
    warnings = transcript.warnings
    if assignment.method in ("heuristic", "none") and assignment.note:
        warnings = (*warnings, assignment.note)
    return replace(transcript, turns=turns, roles=assignment, warnings=warnings)
