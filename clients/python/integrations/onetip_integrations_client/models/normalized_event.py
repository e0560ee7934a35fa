from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.normalized_event_payload import NormalizedEventPayload


T = TypeVar("T", bound="NormalizedEvent")


@_attrs_define
class NormalizedEvent:
    """Something that happened, in one shape whatever its source.

    Attributes:
        id (UUID): A UUIDv7, so ids sort by time. Receivers store an event once per id.
        kind (str): `task.completed`, `tip.done`, …
        occurred_at (str): RFC 3339 in UTC.
        payload (NormalizedEventPayload):
        source (str): `todoist`, `onetip`, …
        subject_id (str): The task or tip the event is about.
        user_id (UUID):
        trace_id (None | str | Unset):
    """

    id: UUID
    kind: str
    occurred_at: str
    payload: NormalizedEventPayload
    source: str
    subject_id: str
    user_id: UUID
    trace_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind = self.kind

        occurred_at = self.occurred_at

        payload = self.payload.to_dict()

        source = self.source

        subject_id = self.subject_id

        user_id = str(self.user_id)

        trace_id: None | str | Unset
        if isinstance(self.trace_id, Unset):
            trace_id = UNSET
        else:
            trace_id = self.trace_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "occurred_at": occurred_at,
                "payload": payload,
                "source": source,
                "subject_id": subject_id,
                "user_id": user_id,
            }
        )
        if trace_id is not UNSET:
            field_dict["trace_id"] = trace_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.normalized_event_payload import NormalizedEventPayload  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        occurred_at = d.pop("occurred_at")

        payload = NormalizedEventPayload.from_dict(d.pop("payload"))

        source = d.pop("source")

        subject_id = d.pop("subject_id")

        user_id = UUID(d.pop("user_id"))

        def _parse_trace_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        trace_id = _parse_trace_id(d.pop("trace_id", UNSET))

        normalized_event = cls(
            id=id,
            kind=kind,
            occurred_at=occurred_at,
            payload=payload,
            source=source,
            subject_id=subject_id,
            user_id=user_id,
            trace_id=trace_id,
        )

        normalized_event.additional_properties = d
        return normalized_event

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
