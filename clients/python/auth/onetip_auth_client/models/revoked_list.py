from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.revoked_session import RevokedSession


T = TypeVar("T", bound="RevokedList")


@_attrs_define
class RevokedList:
    """`GET /internal/sessions/revoked`: one page of the revoked list.

    Attributes:
        now (int): auth's clock when the page was read, epoch milliseconds.
        revoked (list[RevokedSession]): In `(revoked_at, sid)` order. A page holding `limit` rows may have
            more after it: ask again with the last row's `revoked_at` as `since`
            and its `sid` as `after`.
    """

    now: int
    revoked: list[RevokedSession]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        now = self.now

        revoked = []
        for revoked_item_data in self.revoked:
            revoked_item = revoked_item_data.to_dict()
            revoked.append(revoked_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "now": now,
                "revoked": revoked,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.revoked_session import RevokedSession  # noqa: PLC0415

        d = dict(src_dict)
        now = d.pop("now")

        revoked = []
        _revoked = d.pop("revoked")
        for revoked_item_data in _revoked:
            revoked_item = RevokedSession.from_dict(revoked_item_data)

            revoked.append(revoked_item)

        revoked_list = cls(
            now=now,
            revoked=revoked,
        )

        revoked_list.additional_properties = d
        return revoked_list

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
