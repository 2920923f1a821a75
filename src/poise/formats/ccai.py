"""Google Contact Center AI Insights conversations, in either of two shapes.

(a) The upload format for text conversations (``entries``)::

    {"conversation_info": {"categories": [{"display_name": "Billing"}]},
     "entries": [{"start_timestamp_usec": 1709647331000000, "text": "Hello, ...",
                  "role": "AGENT", "user_id": 2}, ...]}

    ``role`` is AGENT / HUMAN_AGENT (agent), END_USER / CUSTOMER (customer) or
    AUTOMATED_AGENT (other); ``startTimestampUsec`` is accepted too. Times are seconds from
    the earliest entry.

(b) A Conversation resource as the API returns it (``transcript.transcriptSegments``)::

    {"name": "projects/p/locations/us-central1/conversations/8412...",
     "agentId": "agent-417", "languageCode": "en-US", "medium": "PHONE_CALL",
     "duration": "96.400s", "callMetadata": {"customerChannel": 1, "agentChannel": 2},
     "transcript": {"transcriptSegments": [
       {"text": "thank you for calling", "confidence": 0.94, "channelTag": 2,
        "segmentParticipant": {"role": "HUMAN_AGENT"}, "messageTime": "...",
        "words": [{"startOffset": "0.400s", "endOffset": "0.700s", "word": "thank"}, ...]}]}}

    ``segmentParticipant.role``: HUMAN_AGENT / ANY_AGENT -> agent, END_USER -> customer,
    AUTOMATED_AGENT -> other; a segment without a role is mapped by ``channelTag`` against
    ``callMetadata.agentChannel`` / ``customerChannel``. A segment's times are its first
    word's ``startOffset`` and last word's ``endOffset`` (offsets into the audio); segments
    without words (chat) are timed from ``messageTime``, relative to the first segment.

The id is the last part of ``name``, else ``conversation_id``, else the file name;
``agentId`` becomes ``metadata["agent"]``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..transcript import Role, RoleAssignment, Transcript, Turn
from .common import LoadOptions, kind, optional_str, required_str, stem_id, to_seconds, word_objects

NAME = "ccai"

ENTRY_ROLES: dict[str, Role] = {"AGENT": "agent", "HUMAN_AGENT": "agent",
                                "AUTOMATED_AGENT": "other", "END_USER": "customer",
                                "CUSTOMER": "customer"}
SEGMENT_ROLES: dict[str, Role] = {"HUMAN_AGENT": "agent", "ANY_AGENT": "agent",
                                  "AUTOMATED_AGENT": "other", "END_USER": "customer"}
_ENTRY_KEYS = ("role", "text", "user_id", "start_timestamp_usec", "startTimestampUsec")
_RESOURCE_METADATA = ("name", "languageCode", "medium", "duration", "startTime",
                      "callMetadata", "labels")


def matches(data: Any) -> bool:
    if not isinstance(data, dict) or "turns" in data:
        return False
    transcript = data.get("transcript")
    if isinstance(transcript, dict) and "transcriptSegments" in transcript:
        return True
    if "entries" not in data:
        return False
    entries = data["entries"]
    return "conversation_info" in data or (isinstance(entries, list) and any(
        isinstance(e, dict) and any(k in e for k in _ENTRY_KEYS) for e in entries))


def load_data(data: Any, path: Path, options: LoadOptions) -> list[Transcript]:
    if isinstance(data.get("transcript"), dict) and "transcriptSegments" in data["transcript"]:
        return [_from_segments(data, path)]
    return [_from_entries(data, path)]


def _call_id(data: dict[str, Any], path: Path) -> str:
    name = data.get("name")
    if isinstance(name, str) and name.strip("/ "):
        return name.strip("/ ").rsplit("/", 1)[-1]
    for key in ("conversation_id", "conversationId"):
        value = data.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return stem_id(path)


# -- (a) entries --------------------------------------------------------------------------------

def _from_entries(data: dict[str, Any], path: Path) -> Transcript:
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise LoadError(f"entries should be a list, not {kind(entries)}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise LoadError(f"entries[{index}] should be an object, not {kind(entry)}")
    stamps = [_usec(entry, f"entries[{index}]") for index, entry in enumerate(entries)]
    origin = min((s for s in stamps if s is not None), default=None)
    turns = [turn for index, (entry, stamp) in enumerate(zip(entries, stamps))
             if (turn := _entry_turn(entry, f"entries[{index}]", stamp, origin)) is not None]
    metadata: dict[str, Any] = {}
    if data.get("conversation_info") is not None:
        metadata["conversation_info"] = data["conversation_info"]
    return Transcript(id=_call_id(data, path), turns=tuple(turns), metadata=metadata,
                      source=str(path), format=NAME, roles=RoleAssignment("source"))


def _entry_turn(entry: dict[str, Any], where: str, stamp: int | None,
                origin: int | None) -> Turn | None:
    text = required_str(entry, "text", where).strip()
    role = required_str(entry, "role", where)
    if not text:
        return None
    start = None if stamp is None or origin is None else round((stamp - origin) / 1e6, 3)
    extra = {"user_id": entry["user_id"]} if entry.get("user_id") is not None else {}
    return Turn(speaker=ENTRY_ROLES.get(role.strip().upper(), "other"), label=role, text=text,
                start=start, extra=extra)


def _usec(entry: dict[str, Any], where: str) -> int | None:
    """``start_timestamp_usec`` (or ``startTimestampUsec``; int64 may arrive as a string)."""
    key = "start_timestamp_usec" if "start_timestamp_usec" in entry else "startTimestampUsec"
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LoadError(f"{where}.{key} should be a number of microseconds, not {kind(value)}")
    return int(value)


# -- (b) Conversation resource ------------------------------------------------------------------

def _from_segments(data: dict[str, Any], path: Path) -> Transcript:
    segments = data["transcript"]["transcriptSegments"]
    if not isinstance(segments, list):
        raise LoadError(f"transcript.transcriptSegments should be a list, not {kind(segments)}")
    for index, segment in enumerate(segments):
        if not isinstance(segment, dict):
            raise LoadError(f"transcript.transcriptSegments[{index}] should be an object, "
                            f"not {kind(segment)}")
    channels = _channels(data.get("callMetadata"))
    timing = _segment_timing(segments)
    turns, unresolved = [], 0
    for index, segment in enumerate(segments):
        where = f"transcript.transcriptSegments[{index}]"
        text = required_str(segment, "text", where).strip()
        if not text:
            continue
        speaker, label = _segment_role(segment, where, channels)
        unresolved += speaker is None
        start, end = timing[index]
        turns.append(Turn(speaker=speaker or "other", label=label, text=text, start=start,
                          end=end, extra=_segment_extra(segment, where)))
    return Transcript(id=_call_id(data, path), turns=tuple(turns),
                      metadata=_resource_metadata(data), source=str(path), format=NAME,
                      **_role_outcome(unresolved, len(turns)))


def _resource_metadata(data: dict[str, Any]) -> dict[str, Any]:
    metadata = {key: data[key] for key in _RESOURCE_METADATA if data.get(key) is not None}
    agent = data.get("agentId")
    if agent is not None:
        if not isinstance(agent, str):
            raise LoadError(f"agentId should be text, not {kind(agent)}")
        metadata["agent"] = agent
    return metadata


def _role_outcome(unresolved: int, total: int) -> dict[str, Any]:
    if unresolved and unresolved == total:
        return {"roles": RoleAssignment("pending")}  # let poise.roles guess from the text
    if unresolved:
        return {"roles": RoleAssignment("source"),
                "warnings": (f"{unresolved} segment(s) have no participant role and no channel "
                             "in callMetadata; counted as 'other'",)}
    return {"roles": RoleAssignment("source")}


def _channels(meta: Any) -> dict[int, Role]:
    """``callMetadata`` -> {channelTag: role}."""
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise LoadError(f"callMetadata should be an object, not {kind(meta)}")
    table: dict[int, Role] = {}
    for key, role in (("agentChannel", "agent"), ("customerChannel", "customer")):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise LoadError(f"callMetadata.{key} should be a whole number, not {kind(value)}")
        table[value] = role  # type: ignore[assignment]
    return table


def _segment_role(segment: dict[str, Any], where: str,
                  channels: dict[int, Role]) -> tuple[Role | None, str]:
    participant = segment.get("segmentParticipant")
    if participant is not None and not isinstance(participant, dict):
        raise LoadError(f"{where}.segmentParticipant should be an object, not {kind(participant)}")
    role = optional_str(participant or {}, "role", f"{where}.segmentParticipant")
    if role and role.strip().upper() in SEGMENT_ROLES:
        return SEGMENT_ROLES[role.strip().upper()], role
    tag = segment.get("channelTag")
    if tag is not None and (isinstance(tag, bool) or not isinstance(tag, int)):
        raise LoadError(f"{where}.channelTag should be a whole number, not {kind(tag)}")
    if tag is not None and tag in channels:
        return channels[tag], f"channel {tag}"
    return None, f"channel {tag}" if tag is not None else (role or "unknown")


def _segment_extra(segment: dict[str, Any], where: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    words = _words(segment, where)
    if words:
        extra["words"] = [w for w in words if w[0] is not None and w[1] is not None]
    confidence = segment.get("confidence")
    if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and confidence:
        extra["confidence"] = confidence
    if isinstance(segment.get("sentiment"), dict):
        extra["sentiment"] = segment["sentiment"]
    return extra


def _segment_timing(segments: list[dict[str, Any]]) -> list[tuple[float | None, float | None]]:
    """(start, end) per segment: word offsets if any segment has them, else ``messageTime``."""
    words = [_words(s, f"transcript.transcriptSegments[{i}]") for i, s in enumerate(segments)]
    if any(w and w[0][0] is not None for w in words):
        return [(w[0][0], w[-1][1]) if w else (None, None) for w in words]
    times = [_message_time(s, f"transcript.transcriptSegments[{i}]")
             for i, s in enumerate(segments)]
    origin = min((t for t in times if t is not None), default=None)
    return [(None if t is None or origin is None else round((t - origin).total_seconds(), 3),
             None) for t in times]


def _words(segment: dict[str, Any], where: str) -> list[list[Any]]:
    return [[_offset(word, "startOffset", at), _offset(word, "endOffset", at), required_str(word, "word", at)]
            for at, word in word_objects(segment, where)]


def _offset(word: dict[str, Any], key: str, where: str) -> float | None:
    """A protobuf Duration: ``"1.500s"``, a number, or ``{"seconds": 1, "nanos": 500000000}``."""
    value = word.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
        if isinstance(seconds, str) and seconds.isdigit():
            seconds = int(seconds)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (seconds, nanos)):
            raise LoadError(f"{where}.{key} should be a duration such as \"1.5s\"")
        return round(seconds + nanos / 1e9, 3)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise LoadError(f"{where}.{key} should be a duration such as \"1.5s\", not {kind(value)}")
    try:
        seconds_value = to_seconds(value)
    except (LoadError, ValueError) as exc:
        raise LoadError(f"{where}.{key} is not a duration: {value!r}") from exc
    return None if seconds_value is None else round(seconds_value, 3)


def _message_time(segment: dict[str, Any], where: str) -> datetime | None:
    value = optional_str(segment, "messageTime", where)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise LoadError(f"{where}.messageTime is not an RFC 3339 date-time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
