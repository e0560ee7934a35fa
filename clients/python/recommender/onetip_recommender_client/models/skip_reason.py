from enum import StrEnum


class SkipReason(StrEnum):
    BLOCKED = "blocked"
    NOT_NOW = "not_now"
    NOT_RELEVANT = "not_relevant"
    OTHER = "other"
    TOO_BIG = "too_big"

    def __str__(self) -> str:
        return str(self.value)
