from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.degraded_reason import DegradedReason
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.source_report import SourceReport
    from ..models.tip import Tip
    from ..models.undo_offer import UndoOffer


T = TypeVar("T", bound="Recommendation")


@_attrs_define
class Recommendation:
    """`POST /api/recommend`'s answer.

    Attributes:
        decision_id (UUID):
        degraded (bool):
        reused (bool): True when the open decision was returned again (no new draw).
        sources (list[SourceReport]): How each source answered when the decision was drawn.
        tip (Tip): What the recommender shows: one task or one advice card.
        degraded_reason (DegradedReason | None | Unset):
        undo (None | UndoOffer | Unset):
    """

    decision_id: UUID
    degraded: bool
    reused: bool
    sources: list[SourceReport]
    tip: Tip
    degraded_reason: DegradedReason | None | Unset = UNSET
    undo: None | UndoOffer | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.undo_offer import UndoOffer  # noqa: PLC0415

        decision_id = str(self.decision_id)

        degraded = self.degraded

        reused = self.reused

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)

        tip = self.tip.to_dict()

        degraded_reason: None | str | Unset
        if isinstance(self.degraded_reason, Unset):
            degraded_reason = UNSET
        elif isinstance(self.degraded_reason, DegradedReason):
            degraded_reason = self.degraded_reason.value
        else:
            degraded_reason = self.degraded_reason

        undo: dict[str, Any] | None | Unset
        if isinstance(self.undo, Unset):
            undo = UNSET
        elif isinstance(self.undo, UndoOffer):
            undo = self.undo.to_dict()
        else:
            undo = self.undo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decision_id": decision_id,
                "degraded": degraded,
                "reused": reused,
                "sources": sources,
                "tip": tip,
            }
        )
        if degraded_reason is not UNSET:
            field_dict["degraded_reason"] = degraded_reason
        if undo is not UNSET:
            field_dict["undo"] = undo

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.source_report import SourceReport  # noqa: PLC0415
        from ..models.tip import Tip  # noqa: PLC0415
        from ..models.undo_offer import UndoOffer  # noqa: PLC0415

        d = dict(src_dict)
        decision_id = UUID(d.pop("decision_id"))

        degraded = d.pop("degraded")

        reused = d.pop("reused")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in _sources:
            sources_item = SourceReport.from_dict(sources_item_data)

            sources.append(sources_item)

        tip = Tip.from_dict(d.pop("tip"))

        def _parse_degraded_reason(data: object) -> DegradedReason | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                degraded_reason_type_1 = DegradedReason(data)

                return degraded_reason_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DegradedReason | None | Unset, data)

        degraded_reason = _parse_degraded_reason(d.pop("degraded_reason", UNSET))

        def _parse_undo(data: object) -> None | UndoOffer | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                undo_type_1 = UndoOffer.from_dict(data)

                return undo_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UndoOffer | Unset, data)

        undo = _parse_undo(d.pop("undo", UNSET))

        recommendation = cls(
            decision_id=decision_id,
            degraded=degraded,
            reused=reused,
            sources=sources,
            tip=tip,
            degraded_reason=degraded_reason,
            undo=undo,
        )

        recommendation.additional_properties = d
        return recommendation

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
