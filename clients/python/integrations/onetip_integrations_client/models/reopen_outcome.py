from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.reopen_kind import ReopenKind

T = TypeVar("T", bound="ReopenOutcome")


@_attrs_define
class ReopenOutcome:
    """The reopen's answer.

    Attributes:
        outcome (ReopenKind): `reopened`: a one-off task is active again; `restored`: a recurring
            task has its previous due date back.
    """

    outcome: ReopenKind
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        outcome = self.outcome.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "outcome": outcome,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outcome = ReopenKind(d.pop("outcome"))

        reopen_outcome = cls(
            outcome=outcome,
        )

        reopen_outcome.additional_properties = d
        return reopen_outcome

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
