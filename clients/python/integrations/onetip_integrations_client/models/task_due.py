from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskDue")


@_attrs_define
class TaskDue:
    """A task's due date, as Todoist gives it (kept whole so that a recurring
    task's undo restores it, recurrence included).

        Attributes:
            date (str): `YYYY-MM-DD`, floating `YYYY-MM-DDTHH:MM:SS`, or UTC `…Z`.
            is_recurring (bool | Unset):
            lang (None | str | Unset):
            string (None | str | Unset): How the user wrote it: `every monday`.
            timezone (None | str | Unset):
    """

    date: str
    is_recurring: bool | Unset = UNSET
    lang: None | str | Unset = UNSET
    string: None | str | Unset = UNSET
    timezone: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        is_recurring = self.is_recurring

        lang: None | str | Unset
        if isinstance(self.lang, Unset):
            lang = UNSET
        else:
            lang = self.lang

        string: None | str | Unset
        if isinstance(self.string, Unset):
            string = UNSET
        else:
            string = self.string

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
            }
        )
        if is_recurring is not UNSET:
            field_dict["is_recurring"] = is_recurring
        if lang is not UNSET:
            field_dict["lang"] = lang
        if string is not UNSET:
            field_dict["string"] = string
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = d.pop("date")

        is_recurring = d.pop("is_recurring", UNSET)

        def _parse_lang(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lang = _parse_lang(d.pop("lang", UNSET))

        def _parse_string(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        string = _parse_string(d.pop("string", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        task_due = cls(
            date=date,
            is_recurring=is_recurring,
            lang=lang,
            string=string,
            timezone=timezone,
        )

        task_due.additional_properties = d
        return task_due

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
