"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .error_body import ErrorBody
from .liveness import Liveness
from .outbox_backlog import OutboxBacklog
from .readiness import Readiness
from .status import Status
from .update_me import UpdateMe
from .upsert_user import UpsertUser
from .upserted import Upserted
from .user import User

__all__ = (
    "Check",
    "ErrorBody",
    "Liveness",
    "OutboxBacklog",
    "Readiness",
    "Status",
    "UpdateMe",
    "Upserted",
    "UpsertUser",
    "User",
)
