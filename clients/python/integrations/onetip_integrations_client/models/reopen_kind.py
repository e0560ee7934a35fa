from enum import StrEnum


class ReopenKind(StrEnum):
    REOPENED = "reopened"
    RESTORED = "restored"

    def __str__(self) -> str:
        return str(self.value)
