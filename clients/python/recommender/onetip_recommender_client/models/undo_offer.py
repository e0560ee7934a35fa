from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UndoOffer")


@_attrs_define
class UndoOffer:
    """A done tip that can still be undone.

    Attributes:
        decision_id (UUID):
        title (str):
        undo_until (str): RFC 3339, UTC.
    """

    decision_id: UUID
    title: str
    undo_until: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decision_id = str(self.decision_id)

        title = self.title

        undo_until = self.undo_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decision_id": decision_id,
                "title": title,
                "undo_until": undo_until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision_id = UUID(d.pop("decision_id"))

        title = d.pop("title")

        undo_until = d.pop("undo_until")

        undo_offer = cls(
            decision_id=decision_id,
            title=title,
            undo_until=undo_until,
        )

        undo_offer.additional_properties = d
        return undo_offer

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
