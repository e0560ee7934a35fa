from enum import StrEnum


class DegradedReason(StrEnum):
    NOT_CONNECTED = "not_connected"
    NO_ELIGIBLE_TASKS = "no_eligible_tasks"
    RECONNECT_REQUIRED = "reconnect_required"
    SOURCES_FAILED = "sources_failed"
    STALE = "stale"

    def __str__(self) -> str:
        return str(self.value)
