from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.recommend_request_context_type_0 import RecommendRequestContextType0


T = TypeVar("T", bound="RecommendRequest")


@_attrs_define
class RecommendRequest:
    """`POST /api/recommend`'s body.

    Attributes:
        user_id (UUID): Must be the access token's subject.
        context (None | RecommendRequestContextType0 | Unset): Free-form context for the policy (a JSON object, at most
            16 KiB).
        new (bool | Unset): Supersede the open decision and draw again.
    """

    user_id: UUID
    context: None | RecommendRequestContextType0 | Unset = UNSET
    new: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.recommend_request_context_type_0 import RecommendRequestContextType0  # noqa: PLC0415

        user_id = str(self.user_id)

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, RecommendRequestContextType0):
            context = self.context.to_dict()
        else:
            context = self.context

        new = self.new

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
            }
        )
        if context is not UNSET:
            field_dict["context"] = context
        if new is not UNSET:
            field_dict["new"] = new

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommend_request_context_type_0 import RecommendRequestContextType0  # noqa: PLC0415

        d = dict(src_dict)
        user_id = UUID(d.pop("user_id"))

        def _parse_context(data: object) -> None | RecommendRequestContextType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = RecommendRequestContextType0.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecommendRequestContextType0 | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        new = d.pop("new", UNSET)

        recommend_request = cls(
            user_id=user_id,
            context=context,
            new=new,
        )

        return recommend_request
