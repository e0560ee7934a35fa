from enum import StrEnum


class SourceStatus(StrEnum):
    FAILED = "failed"
    NOT_CONNECTED = "not_connected"
    OK = "ok"
    RECONNECT_REQUIRED = "reconnect_required"
    STALE = "stale"

    def __str__(self) -> str:
        return str(self.value)
