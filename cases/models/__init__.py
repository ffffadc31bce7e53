"""The demands and disputes area's records: the enterprise registry (``registry``), joint meetings and worker
demands (``demands``), labour disputes with their parties and mediation (``disputes``) and the union's
legal-supervision letters (``letters``)."""

from cases.models.demands import (  # noqa: F401
    Demand,
    DemandCategory,
    DemandEvent,
    DemandEventKind,
    DemandNote,
    DemandResult,
    DemandSource,
    DemandStatus,
    JointMeeting,
    MeetingDecision,
    Rating,
)
from cases.models.disputes import (  # noqa: F401
    Colour,
    Dispute,
    DisputeEvent,
    DisputeEventKind,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    FollowUp,
    Level,
    Mediation,
    MediationOutcome,
    MediationSession,
    Outcome,
    Party,
    PartyAction,
    Side,
)
from cases.models.letters import Letter, LetterKind, LetterStatus  # noqa: F401
from cases.models.registry import (  # noqa: F401
    REGISTRY_KINDS,
    UNION_KINDS,
    WORKERS_MAX,
    Enterprise,
    Industry,
    Project,
    Subcontract,
)
