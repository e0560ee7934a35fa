"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .health_report import HealthReport
from .outbox_backlog import OutboxBacklog
from .readiness import Readiness
from .status import Status

__all__ = (
    "Check",
    "HealthReport",
    "OutboxBacklog",
    "Readiness",
    "Status",
)
