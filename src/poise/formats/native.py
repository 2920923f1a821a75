"""poise's native JSON (and, one object per line, JSON Lines).

Shape (JSON Schema: ``poise/schemas/transcript.schema.json``)::

    {"id": "call-1", "metadata": {"agent": "Dana", "team": "Billing"},
     "turns": [{"speaker": "agent", "text": "Thank you for calling", "start": 0.0, "end": 2.1}]}

``speaker`` is a role (agent, customer, other) or a label resolved through the aliases.
A top-level list of such objects holds several calls.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..transcript import RoleAssignment, Transcript, Turn
from .common import LoadOptions, stem_id, to_seconds

NAME = "json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(resources.files("poise").joinpath("schemas/transcript.schema.json").read_text())


def matches(data: Any) -> bool:
    items = data if isinstance(data, list) else [data]
    return bool(items) and all(isinstance(i, dict) and isinstance(i.get("turns"), list) for i in items)


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema
    return jsonschema.Draft202012Validator(schema())


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0)


def plainly_valid(item: Any) -> bool:
    """A quick check, in plain Python, of the common case: True only for an object the schema
    accepts (no false True; tested against jsonschema). Anything else goes to jsonschema, which
    decides and words the error. Validating every call with jsonschema cost more than reading it."""
    if not isinstance(item, dict) or not isinstance(item.get("turns"), list):
        return False
    if "id" in item and not (isinstance(item["id"], str) or type(item["id"]) is int):
        return False
    if "metadata" in item and not isinstance(item["metadata"], dict):
        return False
    for turn in item["turns"]:
        if not (isinstance(turn, dict) and isinstance(turn.get("speaker"), str) and turn["speaker"]
                and isinstance(turn.get("text"), str)
                and _number(turn.get("start")) and _number(turn.get("end"))):
            return False
    return True


def _validate(data: Any) -> None:
    if plainly_valid(data):
        return
    error = next(iter(sorted(_validator().iter_errors(data), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise LoadError(f"native JSON does not match the transcript schema at {where}: {error.message}")


def load_data(data: Any, path: Path, options: LoadOptions) -> list[Transcript]:
    items = data if isinstance(data, list) else [data]
    calls = []
    for index, item in enumerate(items):
        _validate(item)
        default_id = stem_id(path) if len(items) == 1 else f"{stem_id(path)}:{index}"
        calls.append(_one(item, default_id, path, options))
    return calls


def _one(item: dict[str, Any], default_id: str, path: Path, options: LoadOptions) -> Transcript:
    turns = []
    labels_are_roles = True
    for raw in item["turns"]:
        label = str(raw.get("speaker", raw.get("role", "")))
        role = label.lower() if label.lower() in ("agent", "customer", "other") else None
        if role is None:
            labels_are_roles = False
        extra = {k: v for k, v in raw.items() if k not in ("speaker", "role", "text", "start", "end")}
        turns.append(Turn(speaker=role or "other", label=label, text=str(raw.get("text", "")).strip(),
                          start=to_seconds(raw.get("start")), end=to_seconds(raw.get("end")),
                          extra=extra))
    roles = RoleAssignment("source") if labels_are_roles else RoleAssignment("pending")
    return Transcript(id=str(item.get("id") or default_id), turns=tuple(t for t in turns if t.text),
                      metadata=dict(item.get("metadata") or {}), source=str(path), format=NAME,
                      roles=roles)
