from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_due import TaskDue


T = TypeVar("T", bound="ReopenRequest")


@_attrs_define
class ReopenRequest:
    """`POST /api/integrations/items/{connector}/{item}/reopen`'s body: what
    the complete answered, so a recurring task gets its due date back.

        Attributes:
            previous_due (None | TaskDue | Unset):
    """

    previous_due: None | TaskDue | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.task_due import TaskDue  # noqa: PLC0415

        previous_due: dict[str, Any] | None | Unset
        if isinstance(self.previous_due, Unset):
            previous_due = UNSET
        elif isinstance(self.previous_due, TaskDue):
            previous_due = self.previous_due.to_dict()
        else:
            previous_due = self.previous_due

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if previous_due is not UNSET:
            field_dict["previous_due"] = previous_due

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_due import TaskDue  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_previous_due(data: object) -> None | TaskDue | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                previous_due_type_1 = TaskDue.from_dict(data)

                return previous_due_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskDue | Unset, data)

        previous_due = _parse_previous_due(d.pop("previous_due", UNSET))

        reopen_request = cls(
            previous_due=previous_due,
        )

        reopen_request.additional_properties = d
        return reopen_request

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
