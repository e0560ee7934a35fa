from enum import StrEnum


class DecisionStatus(StrEnum):
    DONE = "done"
    EXPIRED = "expired"
    OPEN = "open"
    PENDING = "pending"
    SKIPPED = "skipped"
    SUPERSEDED = "superseded"
    UNDONE = "undone"

    def __str__(self) -> str:
        return str(self.value)
