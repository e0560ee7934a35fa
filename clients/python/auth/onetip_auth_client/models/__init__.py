"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .liveness import Liveness
from .readiness import Readiness
from .status import Status

__all__ = (
    "Check",
    "Liveness",
    "Readiness",
    "Status",
)
