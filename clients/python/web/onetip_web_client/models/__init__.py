"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .liveness import Liveness
from .outbox_backlog import OutboxBacklog
from .readiness import Readiness
from .status import Status

__all__ = (
    "Check",
    "Liveness",
    "OutboxBacklog",
    "Readiness",
    "Status",
)
