"""The shapes of the assessment API (``scoring.api``): what it answers and what it takes.

Points and amounts are decimal strings ("12.50") so no figure is rounded on the way."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from qingdan.text import LONG_TEXT
from scoring import workflow
from scoring.models import POINTS, Kind


class RubricOut(Schema):
    id: int
    name: str
    year: int
    owner_unit: str
    full_marks: Decimal
    excellent_from: Decimal
    good_from: Decimal
    pass_from: Decimal
    max_manual_share: Decimal | None
    frozen: bool
    copied_from: int | None

    @staticmethod
    def resolve_owner_unit(rubric):
        return rubric.owner_unit.code

    @staticmethod
    def resolve_frozen(rubric):
        return rubric.frozen_at is not None

    @staticmethod
    def resolve_copied_from(rubric):
        return rubric.copied_from_id


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    kind: Kind
    kind_label: str
    max_points: Decimal
    computed: bool  # filled in from records, never asked of the unit
    metric: str
    metric_label: str
    tiers: list[dict]
    points_each: Decimal | None
    cap: Decimal | None
    condition_by: date | None
    reason_required: bool


class SectionOut(Schema):
    id: int
    name: str
    max_points: Decimal
    floor: Decimal | None
    criteria: list[CriterionOut]
    children: list["SectionOut"]


class RubricDetail(RubricOut):
    computed_points: Decimal
    manual_points: Decimal
    computed_share: float  # percent of full marks
    manual_share: float
    problems: list[str]
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(rubric):
        return rubric.sections_tree


class FundsOut(Schema):
    method: str
    per_grade: dict
    pool: Decimal | None
    base: Decimal | None
    floor: Decimal | None


class RoundOut(Schema):
    id: int
    name: str
    rubric: int
    rubric_name: str
    owner_unit: str
    period_start: date
    period_end: date
    status: str
    status_label: str
    computed_at: datetime | None
    published_at: datetime | None
    bulletin_number: str
    version: int

    @staticmethod
    def resolve_rubric(round):
        return round.rubric_id

    @staticmethod
    def resolve_rubric_name(round):
        return str(round.rubric)

    @staticmethod
    def resolve_owner_unit(round):
        return round.owner_unit.code

    @staticmethod
    def resolve_status_label(round):
        return str(round.get_status_display())


class RoundDetail(RoundOut):
    units: int
    funds: FundsOut
    steps: list[str]  # the steps possible from the round's status

    @staticmethod
    def resolve_units(round):
        return round.results.count()

    @staticmethod
    def resolve_funds(round):
        return {
            "method": round.fund_method,
            "per_grade": round.fund_per_grade,
            "pool": round.fund_pool,
            "base": round.fund_base,
            "floor": round.fund_floor,
        }

    @staticmethod
    def resolve_steps(round):
        return [name for name, (sources, _target) in workflow.TRANSITIONS.items() if round.status in sources]


class SectionPoints(Schema):
    section: int
    name: str
    points: Decimal = Field(**POINTS)


class ResultOut(Schema):
    rank: int | None
    unit: str
    unit_name: str
    sections: list[SectionPoints]
    total: Decimal
    grade: str
    grade_label: str
    vetoed: bool
    fund_amount: Decimal | None
    fund_note: str
    self_submitted_at: datetime | None


class RecordOut(Schema):
    day: date | None
    text: str
    url: str
    counted: bool


class ChangeOut(Schema):
    stage: str
    stage_label: str
    before: Decimal | None
    after: Decimal | None
    reason: str
    actor: str
    at: datetime


class RecordsChangedOut(Schema):
    then: int  # records (a rate: in the denominator) when the points were computed
    now: int  # the same from today's records
    counted_only: bool  # a rate with as many records as then, of which a different number counts
    message: str


class ScoreOut(Schema):
    id: int
    section: int
    section_name: str
    criterion: int
    criterion_name: str
    kind: Kind
    max_points: Decimal
    computed_from_records: bool
    metric: str
    metric_label: str
    numerator: int | None
    denominator: int | None
    count: int | None
    rate: float | None
    day: date | None
    computed: Decimal | None
    self_points: Decimal | None
    self_reason: str
    self_day: date | None
    reviewed: Decimal | None
    review_reason: str
    adjusted: Decimal | None
    adjust_reason: str
    vetoed: bool
    points: Decimal = Field(**POINTS)
    how: list[str]  # how the points follow from the value or the entries, line by line
    source: str  # where the points that count came from: computed, self, review, adjust or none
    records_shown: bool  # records and evidence: for the office running the round and the assessed unit only
    records_note: str  # why they are not shown
    records: list[RecordOut]
    records_total: int
    records_changed: RecordsChangedOut | None  # the records differ from those the points were computed from
    evidence: list[int]
    history: list[ChangeOut]
    version: int


class UnitResultOut(ResultOut):
    round: int
    scores: list[ScoreOut]


class ComputeIn(Schema):
    reason: str = Field("", max_length=LONG_TEXT)  # needed once the results are published


class JobRef(Schema):
    id: int
    status: str  # queued, running, succeeded, failed
    url: str  # the job's page, with its progress bar


class ComputeOut(Schema):
    changed: int | None  # null while the job waits for a worker
    round: RoundOut
    job: JobRef


class StepIn(Schema):
    version: int | None = None


class SelfIn(Schema):
    points: Decimal | None = Field(None, **POINTS)
    met_on: date | None = None  # a condition judged by hand: the day it was met (none: not met)
    reason: str = Field("", max_length=LONG_TEXT)
    evidence: list[int] = []  # ids from the unit's evidence library
    version: int


class ReviewIn(Schema):
    points: Decimal | None = Field(None, **POINTS)
    vetoed: bool | None = None  # a veto with no metric: whether it triggers
    reason: str = Field("", max_length=LONG_TEXT)
    version: int


class AdjustIn(Schema):
    points: Decimal = Field(**POINTS)
    reason: str = Field("", max_length=LONG_TEXT)
    version: int
