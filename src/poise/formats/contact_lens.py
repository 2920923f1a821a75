"""Amazon Connect Contact Lens conversational-analytics output (voice and chat).

Voice shape (abridged; field names as AWS writes them)::

    {"Version": "1.1.0", "AccountId": "...", "Channel": "VOICE", "JobStatus": "COMPLETED",
     "LanguageCode": "en-US",
     "CustomerMetadata": {"ContactId": "...", "InstanceId": "...", "InputS3Uri": "s3://..."},
     "Participants": [{"ParticipantId": "CUSTOMER", "ParticipantRole": "CUSTOMER"},
                      {"ParticipantId": "AGENT", "ParticipantRole": "AGENT"}],
     "Categories": {...}, "ConversationCharacteristics": {...},
     "Transcript": [
       {"Id": "...", "ParticipantId": "AGENT", "ParticipantRole": "AGENT",
        "Content": "Thank you for calling.", "BeginOffsetMillis": 390,
        "EndOffsetMillis": 1810, "Sentiment": "NEUTRAL", "LoudnessScore": [...]}]}

Chat (``"Channel": "CHAT"``) transcript items carry ``AbsoluteTime`` (ISO 8601) instead of
offsets, ``ContentType``, ``Type`` (MESSAGE or EVENT) and roles AGENT, CUSTOMER or SYSTEM::

       {"AbsoluteTime": "2024-03-05T14:02:11.327Z", "Content": "Hi, I need help",
        "ContentType": "text/plain", "Id": "...", "Type": "MESSAGE",
        "ParticipantId": "5a2c...", "ParticipantRole": "CUSTOMER", "Sentiment": "NEUTRAL"}

Roles: AGENT -> agent, CUSTOMER -> customer, anything else (SYSTEM, CUSTOM_BOT, SUPERVISOR)
-> other. A segment without ``ParticipantRole`` is resolved through ``Participants``. Chat
times are seconds from the first transcript item's ``AbsoluteTime``; events and non-text
items (attachments, interactive messages) are skipped. The id is
``CustomerMetadata.ContactId`` (or the file name); ``Version``, ``Channel``,
``CustomerMetadata``, ``Categories``, ``ConversationCharacteristics``, ``JobStatus`` and
``LanguageCode`` are kept in the metadata.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..transcript import Role, RoleAssignment, Transcript, Turn
from .aws_transcribe import is_contact_lens, millis
from .common import kind, optional_str, required_str
from .common import LoadOptions, stem_id

NAME = "contact-lens"

ROLE_MAP: dict[str, Role] = {"AGENT": "agent", "CUSTOMER": "customer"}
METADATA_KEYS = ("Version", "Channel", "LanguageCode", "JobStatus", "CustomerMetadata",
                 "Categories", "ConversationCharacteristics")


def matches(data: Any) -> bool:
    return is_contact_lens(data)


def load_data(data: Any, path: Path, options: LoadOptions) -> list[Transcript]:
    segments = data.get("Transcript")
    if not isinstance(segments, list):
        raise LoadError(f"Transcript should be a list of segments, not {kind(segments)}")
    participants = _participants(data.get("Participants"))
    origin = _first_time(segments)
    turns = [turn for index, segment in enumerate(segments)
             if (turn := _turn(segment, f"Transcript[{index}]", participants, origin)) is not None]
    metadata = {key: data[key] for key in METADATA_KEYS if data.get(key) is not None}
    return [Transcript(id=_contact_id(data) or stem_id(path), turns=tuple(turns),
                       metadata=metadata, source=str(path), format=NAME,
                       roles=RoleAssignment("source"))]


def _contact_id(data: dict[str, Any]) -> str | None:
    customer = data.get("CustomerMetadata")
    if customer is None:
        return None
    if not isinstance(customer, dict):
        raise LoadError(f"CustomerMetadata should be an object, not {kind(customer)}")
    contact_id = optional_str(customer, "ContactId", "CustomerMetadata")
    return contact_id.strip() if contact_id and contact_id.strip() else None


def _participants(raw: Any) -> dict[str, str]:
    """``Participants`` -> {ParticipantId: ParticipantRole}."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise LoadError(f"Participants should be a list, not {kind(raw)}")
    table = {}
    for index, participant in enumerate(raw):
        where = f"Participants[{index}]"
        if not isinstance(participant, dict):
            raise LoadError(f"{where} should be an object, not {kind(participant)}")
        participant_id = optional_str(participant, "ParticipantId", where)
        role = optional_str(participant, "ParticipantRole", where)
        if participant_id and role:
            table[participant_id] = role
    return table


def _turn(segment: Any, where: str, participants: dict[str, str],
          origin: datetime | None) -> Turn | None:
    if not isinstance(segment, dict):
        raise LoadError(f"{where} should be an object, not {kind(segment)}")
    content_type = optional_str(segment, "ContentType", where)
    if segment.get("Type") == "EVENT" or (content_type and not content_type.startswith("text/")):
        return None
    text = required_str(segment, "Content", where).strip()
    if not text:
        return None
    label = _role(segment, where, participants)
    start = millis(segment, "BeginOffsetMillis", where)
    end = millis(segment, "EndOffsetMillis", where)
    extra: dict[str, Any] = {}
    sentiment = optional_str(segment, "Sentiment", where)
    if sentiment:
        extra["sentiment"] = sentiment
    absolute = _absolute_time(segment, where)
    if absolute is not None:
        extra["absolute_time"] = segment["AbsoluteTime"]
        if start is None and origin is not None:
            start = round((absolute - origin).total_seconds(), 3)
    return Turn(speaker=ROLE_MAP.get(label.strip().upper(), "other"), label=label, text=text,
                start=start, end=end, extra=extra)


def _role(segment: dict[str, Any], where: str, participants: dict[str, str]) -> str:
    role = optional_str(segment, "ParticipantRole", where)
    if role:
        return role
    participant_id = optional_str(segment, "ParticipantId", where)
    if participant_id is None:
        raise LoadError(f"{where} has neither ParticipantRole nor ParticipantId")
    if participant_id in participants:
        return participants[participant_id]
    if participant_id.upper() in ROLE_MAP:  # older outputs use the role as the id
        return participant_id
    raise LoadError(f"{where} has no ParticipantRole, and its ParticipantId "
                    f"{participant_id!r} is not listed in Participants")


def _absolute_time(segment: dict[str, Any], where: str) -> datetime | None:
    value = optional_str(segment, "AbsoluteTime", where)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise LoadError(f"{where}.AbsoluteTime is not an ISO 8601 date-time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _first_time(segments: list[Any]) -> datetime | None:
    """The earliest ``AbsoluteTime`` in the transcript (chat start), or None."""
    times = [_absolute_time(s, f"Transcript[{i}]") for i, s in enumerate(segments)
             if isinstance(s, dict)]
    present = [t for t in times if t is not None]
    return min(present) if present else None
