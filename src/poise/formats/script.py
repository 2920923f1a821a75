"""Call scripts: the agent lines a team keeps in its repository (greetings, hold lines, apology
and closing templates), linted like calls.

- Markdown or text (``*.script.md``, ``*.script.txt``, or any file with front matter
  ``type: script``): ``#`` headings name the script's steps ("## Greeting", "## Hold"); every
  other non-empty line (list markers and ``>`` quotes removed) is an agent line. A line may
  start with ``Customer:`` to show what the customer says; ``Agent:`` is accepted and dropped.
- YAML (``*.script.yaml``): ``steps:`` as a list of ``{name, lines: [...]}`` or a mapping of
  step name to lines.

Each line becomes one turn that keeps its line number, so findings point at ``file:line``.
Required rules (greeting, closing, hold etiquette, verification) apply only to scripts that
declare the matching step, and look inside that step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..rules.yamlsource import line_of, load_yaml
from ..transcript import RoleAssignment, Transcript, Turn
from .common import LoadOptions, stem_id
from .text import _front_matter

NAME = "script"
SUFFIXES = (".script.md", ".script.txt", ".script.markdown", ".script.yaml", ".script.yml")

#: step names -> the behaviour category whose required rules look inside that step
STEP_CATEGORIES = {
    "greeting": "greeting", "opening": "greeting", "open": "greeting", "welcome": "greeting",
    "closing": "closing", "close": "closing", "goodbye": "closing", "wrap-up": "closing",
    "hold": "hold-etiquette", "hold-etiquette": "hold-etiquette", "transfer": "hold-etiquette",
    "verification": "verification", "verify": "verification", "security": "verification",
    "identity": "verification",
}


def step_category(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return STEP_CATEGORIES.get(slug, slug)


def sniff(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name.endswith(SUFFIXES):
        return True
    return bool(re.match(r"---\s*\n(?:.*\n)*?type:\s*script\s*\n", head))


def load(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    if path.name.lower().endswith((".yaml", ".yml")):
        return [_from_yaml(text, path)]
    lines = text.splitlines()
    metadata, first = _front_matter(lines)
    metadata = {str(k): v for k, v in metadata.items() if k != "type"}
    turns: list[Turn] = []
    steps: dict[str, list[int]] = {}
    step: str | None = None
    in_code = False
    for number in range(first, len(lines)):
        raw = lines[number].strip()
        if raw.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not raw or raw.startswith("<!--") and raw.endswith("-->") and "poise:" not in raw:
            continue
        heading = re.match(r"#{1,6}\s+(.*)", raw)
        if heading:
            step = step_category(heading.group(1))
            steps.setdefault(step, [])
            continue
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+|^>\s*", "", raw).strip()
        speaker, label = "agent", "Agent"
        label_match = re.match(r"(?i)(agent|customer|caller)\s*:\s*", line)
        if label_match:
            if label_match.group(1).lower() != "agent":
                speaker, label = "customer", "Customer"
            line = line[label_match.end():]
        if not line:
            continue
        if step is not None:
            steps[step].append(len(turns))
        turns.append(Turn(speaker, label, line, line=number + 1))
    if not turns:
        raise LoadError("the script has no lines")
    return [_transcript(metadata, turns, steps, path)]


def _transcript(metadata: dict[str, Any], turns: list[Turn], steps: dict[str, list[int]], path: Path) -> Transcript:
    call_id = str(metadata.pop("id", "") or stem_id(path).removesuffix(".script"))
    return Transcript(id=call_id, turns=tuple(turns), metadata={**metadata, "script_steps": steps},
                      source=str(path), format=NAME, roles=RoleAssignment("source"))


def _from_yaml(text: str, path: Path) -> Transcript:
    from ..errors import ConfigError
    try:
        data = load_yaml(path, text)
    except ConfigError as exc:
        raise LoadError(str(exc).replace(f"{path}:", "line ", 1)) from exc
    if not isinstance(data, dict) or "steps" not in data:
        raise LoadError("a YAML script needs 'steps:' (a list of {name, lines} or name: [lines])")
    raw_steps = data["steps"]
    if isinstance(raw_steps, dict):
        items = [(name, lines, raw_steps) for name, lines in raw_steps.items()]
    elif isinstance(raw_steps, list):
        items = []
        for i, entry in enumerate(raw_steps):
            if not isinstance(entry, dict) or "name" not in entry or "lines" not in entry:
                raise LoadError(f"line {line_of(raw_steps, i)[0]}: a step needs name and lines")
            items.append((entry["name"], entry["lines"], entry))
    else:
        raise LoadError("'steps' must be a list or a mapping")
    turns: list[Turn] = []
    steps: dict[str, list[int]] = {}
    for name, lines, owner in items:
        lines = [lines] if isinstance(lines, str) else lines
        if not isinstance(lines, list):
            raise LoadError(f"line {line_of(owner)[0]}: step {name!r} lines must be a list of text")
        step = step_category(str(name))
        steps.setdefault(step, [])
        for i, line in enumerate(lines):
            steps[step].append(len(turns))
            turns.append(Turn("agent", "Agent", str(line).strip(), line=line_of(lines, i)[0]))
    if not turns:
        raise LoadError("the script has no lines")
    metadata = {k: v for k, v in data.items() if k not in ("steps", "type")}
    return _transcript(dict(metadata), turns, steps, path)
