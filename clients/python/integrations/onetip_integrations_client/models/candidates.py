from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.normalized_event import NormalizedEvent
    from ..models.source_report import SourceReport


T = TypeVar("T", bound="Candidates")


@_attrs_define
class Candidates:
    """`GET /api/integrations/tasks`: the user's open items from every source,
    and how each source answered, so "not connected", "no tasks" and
    "Todoist is down" are told apart.

        Attributes:
            items (list[NormalizedEvent]): `task.open` events; each payload is a [`TaskPayload`].
            sources (list[SourceReport] | Unset): One entry per connector, connected or not.
    """

    items: list[NormalizedEvent]
    sources: list[SourceReport] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        sources: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = []
            for sources_item_data in self.sources:
                sources_item = sources_item_data.to_dict()
                sources.append(sources_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
            }
        )
        if sources is not UNSET:
            field_dict["sources"] = sources

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.normalized_event import NormalizedEvent  # noqa: PLC0415
        from ..models.source_report import SourceReport  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = NormalizedEvent.from_dict(items_item_data)

            items.append(items_item)

        _sources = d.pop("sources", UNSET)
        sources: list[SourceReport] | Unset = UNSET
        if _sources is not UNSET:
            sources = []
            for sources_item_data in _sources:
                sources_item = SourceReport.from_dict(sources_item_data)

                sources.append(sources_item)

        candidates = cls(
            items=items,
            sources=sources,
        )

        candidates.additional_properties = d
        return candidates

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
