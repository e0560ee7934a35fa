"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .error_body import ErrorBody
from .jwks import Jwks
from .liveness import Liveness
from .outbox_backlog import OutboxBacklog
from .public_jwk import PublicJwk
from .readiness import Readiness
from .refreshed import Refreshed
from .revoked_list import RevokedList
from .revoked_session import RevokedSession
from .session_state import SessionState
from .status import Status

__all__ = (
    "Check",
    "ErrorBody",
    "Jwks",
    "Liveness",
    "OutboxBacklog",
    "PublicJwk",
    "Readiness",
    "Refreshed",
    "RevokedList",
    "RevokedSession",
    "SessionState",
    "Status",
)
