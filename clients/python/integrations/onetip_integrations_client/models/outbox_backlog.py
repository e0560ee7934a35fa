from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OutboxBacklog")


@_attrs_define
class OutboxBacklog:
    """A service's outbox: events written with the change that caused them and
    not yet handed to the bus. Rows that keep waiting, and an oldest row
    that keeps ageing, mean events are not flowing (the bus or its receiver
    is away); nothing is lost while they wait.

        Attributes:
            oldest_age_ms (int): Age of the oldest waiting row, in milliseconds (0 when none waits).
            waiting (int): Rows waiting to be sent.
    """

    oldest_age_ms: int
    waiting: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        oldest_age_ms = self.oldest_age_ms

        waiting = self.waiting

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "oldest_age_ms": oldest_age_ms,
                "waiting": waiting,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        oldest_age_ms = d.pop("oldest_age_ms")

        waiting = d.pop("waiting")

        outbox_backlog = cls(
            oldest_age_ms=oldest_age_ms,
            waiting=waiting,
        )

        outbox_backlog.additional_properties = d
        return outbox_backlog

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
