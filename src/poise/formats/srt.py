"""SubRip subtitles (``.srt``): numbered cues with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` timings.

::

    1
    00:00:01,200 --> 00:00:04,800
    Agent: Thank you for calling Northwind,
    this is Dana.

    2
    00:00:05,100 --> 00:00:07,000
    Customer: Hi, my internet keeps dropping.

One turn per cue, with the cue's start and end in seconds. A ``Name: text`` line gives the
speaker label; the lines of a cue are joined with spaces; a line of a cue that starts with
another ``Name:`` starts another turn (same cue timings). **A cue without a label continues the
previous speaker**: it becomes a turn with the label of the previous cue ("Unknown" when the
first cue has none). Formatting tags (``<i>``, ``<font ...>``, ``{\\an8}``) are removed; cues
without text are skipped. Labels are resolved to roles later (aliases, ``--agent`` or the
reported heuristic). A ``.`` is accepted instead of ``,`` before the milliseconds, and the cue
number may be missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import LoadError
from ..transcript import RoleAssignment, Transcript, Turn
from .common import LoadOptions, cue_times, stem_id

NAME = "srt"
UNKNOWN = "Unknown"

_STAMP = r"(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_STAMP}\s*-->\s*{_STAMP}(?:\s+.*)?$")
_INDEX = re.compile(r"^\s*\d+\s*$")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")

# "Name: text" -- a label of 1-4 words starting with a letter, then a colon and a space (or the
# end of the line), so "at 10:30" or "https://..." are not labels.
_LABELLED = re.compile(r"^\s*(?P<label>[A-Za-z][\w .'&/-]{0,38}?)\s*:(?:\s+(?P<text>.*))?$")
_MAX_LABEL_WORDS = 4


def split_label(line: str) -> tuple[str | None, str]:
    """``"Agent: Hello"`` -> ``("Agent", "Hello")``; a line without a label -> ``(None, line)``."""
    m = _LABELLED.match(line)
    if not m or len(m.group("label").split()) > _MAX_LABEL_WORDS:
        return None, line.strip()
    if m.group("label").strip().lower() in ("http", "https", "mailto"):
        return None, line.strip()
    return m.group("label").strip(), (m.group("text") or "").strip()


def clean_text(text: str) -> str:
    """Remove formatting tags and collapse whitespace."""
    return " ".join(_TAG.sub("", text).split())


def sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() == ".srt":
        return True
    lines = [line for line in head.splitlines() if line.strip()][:2]
    return (len(lines) == 2 and bool(_INDEX.match(lines[0]))
            and bool(_TIMING.match(lines[1])))



def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines as (0-based index of the first line, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for index, line in enumerate(lines):
        if line.strip():
            if not current:
                first = index
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _timing(line: str, where: str) -> tuple[float, float]:
    return cue_times(_TIMING, line, where, "HH:MM:SS,mmm --> HH:MM:SS,mmm")


def load(text: str, path: Path, options: LoadOptions) -> list[Transcript]:
    lines = text.splitlines()
    turns: list[Turn] = []
    label = UNKNOWN
    for first, block in _blocks(lines):
        if _INDEX.match(block[0]) and len(block) >= 2:
            number = block[0].strip()
            where = f"cue {number} (line {first + 2})"
            start, end = _timing(block[1], where)
            body, body_line = block[2:], first + 3
        elif _INDEX.match(block[0]):
            raise LoadError(f"cue {block[0].strip()} (line {first + 1}): no timing line after "
                            "the cue number; expected HH:MM:SS,mmm --> HH:MM:SS,mmm")
        elif "-->" in block[0]:
            start, end = _timing(block[0], f"line {first + 1}")
            body, body_line = block[1:], first + 2
        else:
            raise LoadError(f"line {first + 1}: expected a cue number and a timing line "
                            f"(HH:MM:SS,mmm --> HH:MM:SS,mmm), found {block[0].strip()[:60]!r}")
        pieces: list[dict] = []
        for offset, raw in enumerate(body):
            found, rest = split_label(clean_text(raw))
            if found is not None or not pieces:
                if found is not None:
                    label = found
                pieces.append({"label": label, "text": rest, "line": body_line + offset})
            else:
                pieces[-1]["text"] = f"{pieces[-1]['text']} {rest}".strip()
        turns.extend(Turn(speaker="other", label=p["label"], text=p["text"], start=start, end=end,
                          line=p["line"]) for p in pieces if p["text"])
    if not turns:
        raise LoadError("no subtitle cues with text found")
    return [Transcript(id=stem_id(path), turns=tuple(turns), source=str(path), format=NAME,
                       roles=RoleAssignment("pending"))]
