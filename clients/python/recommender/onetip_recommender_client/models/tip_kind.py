from enum import StrEnum


class TipKind(StrEnum):
    ADVICE = "advice"
    TODO = "todo"

    def __str__(self) -> str:
        return str(self.value)
