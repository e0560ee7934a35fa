"""Contains all the data models used in inputs/outputs"""

from .check import Check
from .decision_status import DecisionStatus
from .degraded_reason import DegradedReason
from .error_body import ErrorBody
from .liveness import Liveness
from .normalized_event import NormalizedEvent
from .normalized_event_payload import NormalizedEventPayload
from .outbox_backlog import OutboxBacklog
from .readiness import Readiness
from .recommend_request import RecommendRequest
from .recommend_request_context_type_0 import RecommendRequestContextType0
from .recommendation import Recommendation
from .skip_reason import SkipReason
from .skip_request import SkipRequest
from .source_report import SourceReport
from .source_status import SourceStatus
from .status import Status
from .tip import Tip
from .tip_action_answer import TipActionAnswer
from .tip_kind import TipKind
from .tip_meta import TipMeta
from .undo_offer import UndoOffer

__all__ = (
    "Check",
    "DecisionStatus",
    "DegradedReason",
    "ErrorBody",
    "Liveness",
    "NormalizedEvent",
    "NormalizedEventPayload",
    "OutboxBacklog",
    "Readiness",
    "Recommendation",
    "RecommendRequest",
    "RecommendRequestContextType0",
    "SkipReason",
    "SkipRequest",
    "SourceReport",
    "SourceStatus",
    "Status",
    "Tip",
    "TipActionAnswer",
    "TipKind",
    "TipMeta",
    "UndoOffer",
)
