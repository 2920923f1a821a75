"""Helpers shared by the format loaders: timestamps, options, speaker labels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from dataclasses import replace

from ..errors import LoadError
from ..transcript import Transcript, Turn

MAX_FILE_SIZE = 50 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    """What a user can say about how to read transcripts.

    ``aliases`` maps lower-cased speaker labels to roles and is merged over the built-in table;
    ``agent_label`` (``--agent``) names the agent's label outright; ``csv_columns`` maps our
    column names (speaker, text, start, end, id) to the file's header names;
    ``merge_segments`` joins consecutive caption cues / ASR segments of one speaker into a turn.
    """

    input_format: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    agent_label: str | None = None
    csv_columns: Mapping[str, str] = field(default_factory=dict)
    max_file_size: int = MAX_FILE_SIZE
    merge_segments: bool = True


_TS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def parse_timestamp(value: str) -> float:
    """Parse ``HH:MM:SS(.mmm)``, ``MM:SS`` or ``HH:MM:SS,mmm`` into seconds."""
    m = _TS.match(value.strip())
    if not m:
        raise ValueError(f"not a timestamp: {value!r}")
    hours, minutes, seconds, frac = m.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        total += int(frac.ljust(3, "0")) / 1000
    return float(total)


def to_seconds(value: Any, unit: float = 1.0) -> float | None:
    """Convert a number (or numeric string) in some unit to seconds; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        if ":" in value:
            return parse_timestamp(value)
        if value.endswith("s"):
            value = value[:-1]
    try:
        return float(value) * unit
    except (TypeError, ValueError) as exc:
        raise LoadError(f"bad time value {value!r}") from exc


def stem_id(path: Path | str) -> str:
    """The default transcript id: the file name without its extension(s)."""
    return Path(path).stem


#: Formats whose units are caption cues or ASR segments rather than speaker turns.
SEGMENTED_FORMATS = frozenset({"vtt", "srt", "genesys", "ccai"})
MERGE_GAP_SECONDS = 1.5


def merge_segments(transcript: Transcript, max_gap: float = MERGE_GAP_SECONDS) -> Transcript:
    """Join consecutive segments of one speaker into one turn (a gap over ``max_gap`` seconds
    keeps them apart), so that "the agent's first two turns" means what a person would count.
    Word timings are concatenated; the merged turn keeps the first segment's line."""
    merged: list[Turn] = []
    for turn in transcript.turns:
        prev = merged[-1] if merged else None
        if prev is not None and prev.label == turn.label and prev.speaker == turn.speaker and (
                prev.end is None or turn.start is None or turn.start - prev.end <= max_gap):
            extra = dict(prev.extra)
            if "words" in prev.extra or "words" in turn.extra:
                extra["words"] = [*prev.extra.get("words", []), *turn.extra.get("words", [])]
            extra["segments"] = prev.extra.get("segments", 1) + 1
            merged[-1] = replace(prev, text=f"{prev.text} {turn.text}".strip(),
                                 end=turn.end if turn.end is not None else prev.end, extra=extra)
        else:
            merged.append(turn)
    if len(merged) == len(transcript.turns):
        return transcript
    return replace(transcript, turns=tuple(merged))


_IGNORE = re.compile(r"\s*(?:<!--|#|//|\(|\[)?\s*poise:\s*ignore\s+(?P<ids>[\w.,\s-]+?)\s*(?:-->|\)|\])?\s*$",
                     re.IGNORECASE | re.MULTILINE)


def apply_ignore_markers(transcript: Transcript) -> Transcript:
    """Strip inline suppression markers (``poise: ignore rule.id`` in a comment at the end of a
    line) from turn texts and record the ids in ``turn.extra["ignore"]``."""
    changed = False
    turns = []
    for turn in transcript.turns:
        if "poise:" not in turn.text.lower():
            turns.append(turn)
            continue
        ids: list[str] = []
        def take(m: re.Match[str]) -> str:
            ids.extend(i for i in re.split(r"[\s,]+", m.group("ids")) if i)
            return ""
        text = _IGNORE.sub(take, turn.text).strip()
        if ids:
            changed = True
            turn = replace(turn, text=text, extra={**turn.extra, "ignore": ids})
        turns.append(turn)
    return replace(transcript, turns=tuple(turns)) if changed else transcript


def cue_times(timing: "re.Pattern[str]", line: str, where: str, example: str) -> tuple[float, float]:
    """Start and end seconds of a caption cue's timing line (SRT, WebVTT), or a LoadError
    naming where it is and what a timing line looks like (``example``)."""
    m = timing.match(line)
    try:
        if not m:
            raise ValueError
        start, end = _cue_ms(m.groups()[:4]), _cue_ms(m.groups()[4:8])
    except ValueError:
        raise LoadError(f"{where}: malformed cue timing {line.strip()[:60]!r}; expected {example}") from None
    if end < start:
        raise LoadError(f"{where}: cue ends before it starts ({line.strip()[:60]!r})")
    return start / 1000, end / 1000


def _cue_ms(groups: tuple[str | None, ...]) -> int:
    hours, minutes, seconds, frac = groups
    if int(minutes or 0) > 59 or int(seconds or 0) > 59:
        raise ValueError("minutes or seconds over 59")
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds or 0)) * 1000 + int((frac or "0").ljust(3, "0"))


# -- JSON field helpers for the vendor loaders: type checks with messages that name the place --------

def kind(value: Any) -> str:
    """A plain name for a JSON value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - json only produces the above


def required_str(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if value is None:
        raise LoadError(f"{where}.{key} is missing")
    if not isinstance(value, str):
        raise LoadError(f"{where}.{key} should be text, not {kind(value)}")
    return value


def optional_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise LoadError(f"{where}.{key} should be text, not {kind(value)}")
    return value


def object_list(container: dict[str, Any], key: str, where: str,
                required: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """(location, object) for each entry of ``container[key]`` (none when absent, unless
    ``required``), with a LoadError naming the place when the list or an entry has the wrong type."""
    items = container.get(key)
    if items is None:
        if required:
            raise LoadError(f"{where}.{key} is missing")
        return
    if not isinstance(items, list):
        raise LoadError(f"{where}.{key} should be a list, not {kind(items)}")
    for index, item in enumerate(items):
        at = f"{where}.{key}[{index}]"
        if not isinstance(item, dict):
            raise LoadError(f"{at} should be an object, not {kind(item)}")
        yield at, item


def word_objects(container: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(location, word object) for each entry of ``container["words"]`` (none when absent)."""
    return object_list(container, "words", where)
