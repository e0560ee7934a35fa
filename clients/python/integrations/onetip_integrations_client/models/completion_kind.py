from enum import StrEnum


class CompletionKind(StrEnum):
    ADVANCED = "advanced"
    COMPLETED = "completed"

    def __str__(self) -> str:
        return str(self.value)
