from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.source_status import SourceStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="SourceReport")


@_attrs_define
class SourceReport:
    """How one source answered the candidate listing.

    Attributes:
        source (str): The connector's name: `todoist`.
        status (SourceStatus): `ok`: current (younger than the cache TTL, or being refreshed with no
            failure yet); `stale`: the last good list (up to 24 h old) while the
            provider fails, or a list over 5 minutes old; `failed`: nothing usable
            (the provider failed, or was still answering after about a second);
            `not_connected`; `reconnect_required`: the provider no longer accepts
            our tokens.
        as_of (None | str | Unset): When the items given for this source were fetched (RFC 3339, UTC);
            `null` when none were.
    """

    source: str
    status: SourceStatus
    as_of: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        status = self.status.value

        as_of: None | str | Unset
        if isinstance(self.as_of, Unset):
            as_of = UNSET
        else:
            as_of = self.as_of

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "status": status,
            }
        )
        if as_of is not UNSET:
            field_dict["as_of"] = as_of

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source = d.pop("source")

        status = SourceStatus(d.pop("status"))

        def _parse_as_of(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        as_of = _parse_as_of(d.pop("as_of", UNSET))

        source_report = cls(
            source=source,
            status=status,
            as_of=as_of,
        )

        source_report.additional_properties = d
        return source_report

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
