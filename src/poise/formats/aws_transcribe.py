"""Amazon Transcribe Call Analytics output (post-call analytics JSON).

Shape (abridged; field names as AWS writes them)::

    {"JobName": "example-call.wav", "JobStatus": "COMPLETED", "LanguageCode": "en-US",
     "Channel": "VOICE", "AccountId": "...",
     "Participants": [{"ParticipantRole": "AGENT"}, {"ParticipantRole": "CUSTOMER"}],
     "Categories": {"MatchedCategories": [...], "MatchedDetails": {...}},
     "ConversationCharacteristics": {"TalkTime": {...}, "Sentiment": {...}, ...},
     "Transcript": [
       {"Id": "28e2...", "ParticipantRole": "AGENT", "Sentiment": "POSITIVE",
        "Content": "Thank you for calling, how can I help you?",
        "BeginOffsetMillis": 40, "EndOffsetMillis": 5050,
        "Items": [{"Type": "pronunciation", "Content": "Thank", "Confidence": 1.0,
                   "BeginOffsetMillis": 40, "EndOffsetMillis": 330},
                  {"Type": "punctuation", "Content": ","}, ...]}]}

Each segment becomes one turn: AGENT -> agent, CUSTOMER -> customer, anything else -> other
(the label keeps the role as written). ``Sentiment`` goes to ``extra["sentiment"]`` and the
pronunciation items to ``extra["words"]`` as ``[start_seconds, end_seconds, word]``.
``ConversationCharacteristics``, ``Categories``, ``Channel``, ``JobName``, ``JobStatus`` and
``LanguageCode`` are kept in the transcript metadata.

Amazon Connect Contact Lens output looks alike (a ``Transcript`` list too) but carries
``CustomerMetadata``/``Version`` and per-segment ``ParticipantId``; it is handled by
:mod:`poise.formats.contact_lens`, and :func:`matches` leaves it alone. Plain Amazon
Transcribe output (``results.transcripts``) is not supported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..transcript import Role, RoleAssignment, Transcript, Turn
from .common import LoadOptions, kind, optional_str, required_str, stem_id

NAME = "aws-transcribe"

ROLE_MAP: dict[str, Role] = {"AGENT": "agent", "CUSTOMER": "customer"}
METADATA_KEYS = ("JobName", "JobStatus", "LanguageCode", "Channel", "Categories",
                 "ConversationCharacteristics")


def matches(data: Any) -> bool:
    """A top-level ``Transcript`` key, and none of Contact Lens's marks."""
    return isinstance(data, dict) and "Transcript" in data and not is_contact_lens(data)


def is_contact_lens(data: Any) -> bool:
    """Contact Lens marks: ``CustomerMetadata`` or ``Version`` at the top, or segments with a
    ``ParticipantId`` (Call Analytics segments have only ``ParticipantRole``)."""
    if not isinstance(data, dict) or "Transcript" not in data:
        return False
    if "CustomerMetadata" in data or "Version" in data:
        return True
    segments = data["Transcript"]
    return isinstance(segments, list) and any(
        isinstance(s, dict) and "ParticipantId" in s for s in segments)


def load_data(data: Any, path: Path, options: LoadOptions) -> list[Transcript]:
    segments = data.get("Transcript")
    if not isinstance(segments, list):
        raise LoadError(f"Transcript should be a list of segments, not {kind(segments)}")
    turns = [turn for index, segment in enumerate(segments)
             if (turn := _turn(segment, f"Transcript[{index}]")) is not None]
    metadata = {key: data[key] for key in METADATA_KEYS if data.get(key) is not None}
    job_name = data.get("JobName")
    call_id = job_name if isinstance(job_name, str) and job_name.strip() else stem_id(path)
    return [Transcript(id=call_id, turns=tuple(turns), metadata=metadata, source=str(path),
                       format=NAME, roles=RoleAssignment("source"))]


def _turn(segment: Any, where: str) -> Turn | None:
    if not isinstance(segment, dict):
        raise LoadError(f"{where} should be an object, not {kind(segment)}")
    text = required_str(segment, "Content", where).strip()
    label = required_str(segment, "ParticipantRole", where)
    if not text:
        return None
    extra: dict[str, Any] = {}
    sentiment = optional_str(segment, "Sentiment", where)
    if sentiment:
        extra["sentiment"] = sentiment
    words = item_words(segment, where)
    if words:
        extra["words"] = words
    return Turn(speaker=ROLE_MAP.get(label.strip().upper(), "other"), label=label, text=text,
                start=millis(segment, "BeginOffsetMillis", where),
                end=millis(segment, "EndOffsetMillis", where), extra=extra)


def item_words(segment: dict[str, Any], where: str) -> list[list[Any]]:
    """``Items`` -> ``[[start, end, word], ...]`` for timed pronunciation items."""
    items = segment.get("Items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise LoadError(f"{where}.Items should be a list, not {kind(items)}")
    words = []
    for index, item in enumerate(items):
        at = f"{where}.Items[{index}]"
        if not isinstance(item, dict):
            raise LoadError(f"{at} should be an object, not {kind(item)}")
        if item.get("Type", "pronunciation") != "pronunciation":
            continue
        word = required_str(item, "Content", at)
        start, end = millis(item, "BeginOffsetMillis", at), millis(item, "EndOffsetMillis", at)
        if start is not None and end is not None:
            words.append([start, end, word])
    return words


# -- field helpers (also used by the other vendor loaders) -------------------------------------------------

def millis(obj: dict[str, Any], key: str, where: str) -> float | None:
    """An optional millisecond field, in seconds."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LoadError(f"{where}.{key} should be a number of milliseconds, not {kind(value)}")
    return round(value / 1000, 3)
