"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .error_body import ErrorBody
from .liveness import Liveness
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
    "Readiness",
    "Status",
    "UpdateMe",
    "Upserted",
    "UpsertUser",
    "User",
)
