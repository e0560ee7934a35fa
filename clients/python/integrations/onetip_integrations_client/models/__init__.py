"""Contains all the data models used in inputs/outputs"""

from .candidates import Candidates
from .check import Check
from .complete_outcome import CompleteOutcome
from .completion_kind import CompletionKind
from .connect_start import ConnectStart
from .connector_state import ConnectorState
from .error_body import ErrorBody
from .liveness import Liveness
from .normalized_event import NormalizedEvent
from .normalized_event_payload import NormalizedEventPayload
from .outbox_backlog import OutboxBacklog
from .readiness import Readiness
from .reopen_kind import ReopenKind
from .reopen_outcome import ReopenOutcome
from .reopen_request import ReopenRequest
from .source_report import SourceReport
from .source_status import SourceStatus
from .status import Status
from .task_due import TaskDue

__all__ = (
    "Candidates",
    "Check",
    "CompleteOutcome",
    "CompletionKind",
    "ConnectorState",
    "ConnectStart",
    "ErrorBody",
    "Liveness",
    "NormalizedEvent",
    "NormalizedEventPayload",
    "OutboxBacklog",
    "Readiness",
    "ReopenKind",
    "ReopenOutcome",
    "ReopenRequest",
    "SourceReport",
    "SourceStatus",
    "Status",
    "TaskDue",
)
