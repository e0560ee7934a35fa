from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.tip_kind import TipKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tip_meta import TipMeta


T = TypeVar("T", bound="Tip")


@_attrs_define
class Tip:
    """What the recommender shows: one task or one advice card.

    Attributes:
        body (str):
        id (str): `todoist:<task id>` or `advice:<slug>`.
        kind (TipKind):
        meta (TipMeta):
        source (str): `todoist`, or `onetip` for advice.
        title (str):
        deep_link (None | str | Unset):
    """

    body: str
    id: str
    kind: TipKind
    meta: TipMeta
    source: str
    title: str
    deep_link: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        id = self.id

        kind = self.kind.value

        meta = self.meta.to_dict()

        source = self.source

        title = self.title

        deep_link: None | str | Unset
        if isinstance(self.deep_link, Unset):
            deep_link = UNSET
        else:
            deep_link = self.deep_link

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "body": body,
                "id": id,
                "kind": kind,
                "meta": meta,
                "source": source,
                "title": title,
            }
        )
        if deep_link is not UNSET:
            field_dict["deep_link"] = deep_link

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tip_meta import TipMeta  # noqa: PLC0415

        d = dict(src_dict)
        body = d.pop("body")

        id = d.pop("id")

        kind = TipKind(d.pop("kind"))

        meta = TipMeta.from_dict(d.pop("meta"))

        source = d.pop("source")

        title = d.pop("title")

        def _parse_deep_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deep_link = _parse_deep_link(d.pop("deep_link", UNSET))

        tip = cls(
            body=body,
            id=id,
            kind=kind,
            meta=meta,
            source=source,
            title=title,
            deep_link=deep_link,
        )

        tip.additional_properties = d
        return tip

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
