"""Contains all the data models used in inputs/outputs"""

from .candidates import Candidates
from .check import Check
from .connect_start import ConnectStart
from .connector_state import ConnectorState
from .error_body import ErrorBody
from .liveness import Liveness
from .normalized_event import NormalizedEvent
from .normalized_event_payload import NormalizedEventPayload
from .readiness import Readiness
from .status import Status

__all__ = (
    "Candidates",
    "Check",
    "ConnectorState",
    "ConnectStart",
    "ErrorBody",
    "Liveness",
    "NormalizedEvent",
    "NormalizedEventPayload",
    "Readiness",
    "Status",
)
