from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status import Status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.outbox_backlog import OutboxBacklog


T = TypeVar("T", bound="Check")


@_attrs_define
class Check:
    """One named check inside a readiness or health report.

    Attributes:
        latency_ms (int):
        name (str):
        status (Status): `ok` or `down` for one component; `ok` or `degraded` overall.
        detail (None | str | Unset): Why it is down; `null` when it is fine.
        outbox (None | OutboxBacklog | Unset):
    """

    latency_ms: int
    name: str
    status: Status
    detail: None | str | Unset = UNSET
    outbox: None | OutboxBacklog | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.outbox_backlog import OutboxBacklog  # noqa: PLC0415

        latency_ms = self.latency_ms

        name = self.name

        status = self.status.value

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        outbox: dict[str, Any] | None | Unset
        if isinstance(self.outbox, Unset):
            outbox = UNSET
        elif isinstance(self.outbox, OutboxBacklog):
            outbox = self.outbox.to_dict()
        else:
            outbox = self.outbox

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "latency_ms": latency_ms,
                "name": name,
                "status": status,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if outbox is not UNSET:
            field_dict["outbox"] = outbox

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.outbox_backlog import OutboxBacklog  # noqa: PLC0415

        d = dict(src_dict)
        latency_ms = d.pop("latency_ms")

        name = d.pop("name")

        status = Status(d.pop("status"))

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_outbox(data: object) -> None | OutboxBacklog | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                outbox_type_1 = OutboxBacklog.from_dict(data)

                return outbox_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OutboxBacklog | Unset, data)

        outbox = _parse_outbox(d.pop("outbox", UNSET))

        check = cls(
            latency_ms=latency_ms,
            name=name,
            status=status,
            detail=detail,
            outbox=outbox,
        )

        check.additional_properties = d
        return check

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
