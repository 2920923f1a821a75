"""Plain-text transcripts: ``Agent: ...`` / ``Customer: ...`` lines.

Accepts speaker aliases (Rep, CSR, Caller, Speaker 1...), optional ``[00:01:23]`` or
``00:01:23`` timestamps before or after the label, lines that continue a turn, blank lines,
``#`` comment lines, and an optional YAML front-matter block (``---`` ... ``---``) whose keys
become metadata (id, agent, team, queue, date...).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import LoadError
from ..transcript import RoleAssignment, Transcript, Turn
from .common import LoadOptions, parse_timestamp, stem_id

NAME = "text"

_TIME = r"\[?(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]?"
_LABEL = r"(?P<label>[A-Za-z][\w .'&/-]{0,38}?)"
_TURN = re.compile(
    rf"^\s*(?:{_TIME}\s+)?(?:-\s+)?{_LABEL}\s*(?:\(\s*{_TIME.replace('time', 'time2')}\s*\))?"
    rf"\s*(?:{_TIME.replace('time', 'time3')}\s*)?:\s?(?P<text>.*)$"
)
_MAX_LABEL_WORDS = 4


def sniff(path: Path, head: str) -> bool:
    return True  # the fallback: load() explains what it could not find


def _match_turn(line: str) -> re.Match[str] | None:
    m = _TURN.match(line)
    if not m or len(m.group("label").split()) > _MAX_LABEL_WORDS:
        return None
    if re.match(r"^(https?|mailto)$", m.group("label"), re.I):
        return None
    return m


def _front_matter(lines: list[str]) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                raise LoadError(f"bad front matter: {exc}") from exc
            if not isinstance(data, dict):
                raise LoadError("front matter must be a mapping of key: value")
            return data, end + 1
    raise LoadError("front matter opened with --- on line 1 is never closed")


def load(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    lines = text.splitlines()
    metadata, first = _front_matter(lines)
    turns: list[dict] = []
    for lineno in range(first, len(lines)):
        line = lines[lineno]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _match_turn(line)
        if m:
            stamp = m.group("time") or m.group("time2") or m.group("time3")
            turns.append({"label": m.group("label").strip(), "text": m.group("text").strip(),
                          "start": parse_timestamp(stamp) if stamp else None,
                          "line": lineno + 1})
        elif turns:
            turns[-1]["text"] = f"{turns[-1]['text']} {line.strip()}".strip()
        else:
            raise LoadError(f"line {lineno + 1}: expected 'Speaker: text' (for example "
                            f"'Agent: Thank you for calling'), found {line.strip()[:60]!r}")
    if not turns:
        raise LoadError("no 'Speaker: text' lines found")
    metadata = {str(k): v for k, v in metadata.items()}
    call_id = str(metadata.pop("id", "") or stem_id(path))
    return [Transcript(
        id=call_id,
        turns=tuple(Turn(speaker="other", label=t["label"], text=t["text"], start=t["start"],
                         line=t["line"]) for t in turns if t["text"]),
        metadata=metadata, source=str(path), format=NAME,
        roles=RoleAssignment("pending"),
    )]
