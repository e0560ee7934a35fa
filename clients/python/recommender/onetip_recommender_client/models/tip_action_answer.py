from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.decision_status import DecisionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.recommendation import Recommendation


T = TypeVar("T", bound="TipActionAnswer")


@_attrs_define
class TipActionAnswer:
    """The answer of done, skip and undo.

    Attributes:
        status (DecisionStatus): A decision's life: `pending` while a done is being written to the
            provider, then `done`; `undone` after an undo.
        next_ (None | Recommendation | Unset):
        undo_until (None | str | Unset): After done: until when undo is offered (RFC 3339, UTC).
    """

    status: DecisionStatus
    next_: None | Recommendation | Unset = UNSET
    undo_until: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.recommendation import Recommendation  # noqa: PLC0415

        status = self.status.value

        next_: dict[str, Any] | None | Unset
        if isinstance(self.next_, Unset):
            next_ = UNSET
        elif isinstance(self.next_, Recommendation):
            next_ = self.next_.to_dict()
        else:
            next_ = self.next_

        undo_until: None | str | Unset
        if isinstance(self.undo_until, Unset):
            undo_until = UNSET
        else:
            undo_until = self.undo_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if next_ is not UNSET:
            field_dict["next"] = next_
        if undo_until is not UNSET:
            field_dict["undo_until"] = undo_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommendation import Recommendation  # noqa: PLC0415

        d = dict(src_dict)
        status = DecisionStatus(d.pop("status"))

        def _parse_next_(data: object) -> None | Recommendation | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                next_type_1 = Recommendation.from_dict(data)

                return next_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Recommendation | Unset, data)

        next_ = _parse_next_(d.pop("next", UNSET))

        def _parse_undo_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        undo_until = _parse_undo_until(d.pop("undo_until", UNSET))

        tip_action_answer = cls(
            status=status,
            next_=next_,
            undo_until=undo_until,
        )

        tip_action_answer.additional_properties = d
        return tip_action_answer

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
