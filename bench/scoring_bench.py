"""Assessment benchmark: computing a round of 3,000 units × 30 criteria on the province-scale data, against
hand-written SQL for the same metric values (PostgreSQL).

Run from the project root:  .venv/bin/python bench/scoring_bench.py [--units 3000] [--repeat 3] [--keep]

It (re)creates its own database (default qingdan_scoring_bench on 127.0.0.1) and fills it with
bench/closeout_data.py (300,000 org units, 2,000,000 items with their urgings and rectifications), then
adds what the other metrics read: events recorded by hand (praise, media reports, training, incidents),
a survey sent to every unit below the towns, and a satisfaction poll of every town's workers. ``--keep``
reuses the data of an earlier run; ``--no-generate`` never generates and stops when data are missing.

A rubric of 30 criteria computed from the 11 metrics (points × a rate, tiers of a rate, points per
occurrence with and without a cap, a veto) is applied by the province's office to ``--units`` units below
the counties (their towns and departments) for the past year. Each repetition creates a draft round and
times, alternating their order:

  first compute  scoring.workflow.compute on the new round: metrics, 90,000 scores written, totals,
                 ranks and grades settled
  recompute      the same again with nothing changed (what the office's 重新计算 button does)
  hand-written   one grouped SQL query per metric giving the same numerator and denominator for every
                 unit of the round: the rows of each responsible unit, rolled up to the round's units by
                 their path prefixes

and the round is deleted. The values the app wrote must equal the hand-written ones, unit by unit and
metric by metric, or the run stops. Goal: compute within 3× of the hand-written SQL.

Exit status 0 when the goal holds, 1 when it does not, 2 when setting up failed or the values differ.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import closeout_data, pg  # noqa: E402 - needs the path above
from bench.pg import BenchError, prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_scoring_bench"
GOAL = 3.0
RUBRIC = "基准考核办法"
SURVEY = "基准年度基层工会数据核查"
POLL_FORM = "基准职工满意度测评"
EVENTS = 60_000  # recorded by hand, over the year
POLL_ANSWERS = (8, 25)  # answers per town poll
CHUNK = 20_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3000, help="units in the round (default 3000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (default 3)")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set (default 1.0)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument("--keep", action="store_true", help="reuse the database and its data if present")
    parser.add_argument(
        "--no-generate", action="store_true", help="use the data of an earlier run; stop if there are none"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    args = parser.parse_args()
    if args.units < 1 or args.repeat < 1:
        parser.error("--units and --repeat must be at least 1")
    if not 0 < args.scale <= 10:
        parser.error("--scale must lie in (0, 10]")
    return args


# --- data ------------------------------------------------------------------------------------------------


def period():
    """The past year, as the close-out data spread over it."""
    from django.utils import timezone

    today = timezone.localdate()
    return today - timedelta(days=365), today


def assessment_data_present():
    from scoring.models import RecordedEvent
    from surveys.models import Poll

    # The polls come last: an earlier run stopped before them left the rest half made.
    return RecordedEvent.objects.exists() and Poll.objects.filter(questionnaire__title=POLL_FORM).exists()


def drop_assessment_data():
    """What an earlier, interrupted ``generate`` left: recorded events, the survey and the polls."""
    from django.db import connection, transaction

    from surveys.models import Questionnaire

    ids = list(Questionnaire.objects.filter(title__in=[SURVEY, POLL_FORM]).values_list("id", flat=True))
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("DELETE FROM scoring_recordedevent")
        cursor.execute(
            "DELETE FROM surveys_answer WHERE response_id IN"
            " (SELECT id FROM surveys_response WHERE questionnaire_id = ANY(%s))",
            [ids],
        )
        for table in ("surveys_response", "surveys_poll"):
            cursor.execute(f"DELETE FROM {table} WHERE questionnaire_id = ANY(%s)", [ids])  # noqa: S608 - our names
        cursor.execute(
            "DELETE FROM surveys_target WHERE distribution_id IN"
            " (SELECT id FROM surveys_distribution WHERE questionnaire_id = ANY(%s))",
            [ids],
        )
        cursor.execute("DELETE FROM surveys_distribution WHERE questionnaire_id = ANY(%s)", [ids])
        Questionnaire.objects.filter(pk__in=ids).delete()


def ensure_data(args):
    """The close-out data (closeout_data) and the assessment's additions; returns the Scope."""
    if args.no_generate:
        prepare_database(args.database, keep=True)
        closeout_data.setup_django(args.database)
        scope = closeout_data.find_scope()
        if scope is None or not assessment_data_present():
            raise BenchError(f"--no-generate: {args.database} holds no benchmark data; run without it first")
        return scope, False
    scope, generated = closeout_data.ensure_data(args.database, args.scale, args.seed, args.keep, sys.stdout)
    if generated or not assessment_data_present():
        begin = time.perf_counter()
        drop_assessment_data()
        generate(scope, random.Random(args.seed + 1))  # noqa: S311 - benchmark data
        print(f"Generated the assessment data in {time.perf_counter() - begin:.1f} s")
        generated = True
    return scope, generated


def _aware(day, hour):
    from django.utils import timezone

    return datetime.combine(day, clock(hour), tzinfo=timezone.get_current_timezone())


def generate(scope, rng):
    """Recorded events, a survey to every unit below the towns, a satisfaction poll per town (COPY)."""
    from django.db import connection, transaction

    from orgs.models import OrgKind, OrgUnit, User
    from qingdan.progress import TerminalProgress
    from scoring.models import EventKind, Level
    from surveys import services
    from surveys.models import Distribution, Questionnaire

    start, end = period()
    office = User.objects.get(username=scope.province_office)
    province = office.org_unit
    days = (end - start).days

    # Events recorded by hand: mostly about towns and grassroots unions, a few withdrawn.
    units = list(OrgUnit.objects.filter(depth__gte=2).values_list("id", flat=True))
    kinds = [
        (EventKind.COMMENDATION, 0.2),
        (EventKind.MEDIA, 0.35),
        (EventKind.TRAINING, 0.35),
        (EventKind.INCIDENT, 0.03),
        (EventKind.OTHER, 0.07),
    ]
    progress = TerminalProgress("Recorded events")
    with connection.cursor() as cursor, transaction.atomic():
        for first in range(0, EVENTS, CHUNK):
            lines = []
            for n in range(first, min(EVENTS, first + CHUNK)):
                kind = rng.choices([k for k, _w in kinds], [w for _k, w in kinds])[0]
                level = rng.choices(list(Level.values), [50, 30, 15, 5])[0]
                day = start + timedelta(days=rng.randrange(days))
                withdrawn = _aware(day + timedelta(days=3), 10).isoformat() if rng.random() < 0.02 else "\\N"
                lines.append(
                    f"{rng.choice(units)}\t{kind}\t{level}\t{day.isoformat()}\t基准事件{n + 1}\t基准\t{office.pk}\t"
                    f"{_aware(day + timedelta(days=1), 9).isoformat()}\t{withdrawn}\t\n"
                )
            closeout_data.copy_rows(
                cursor,
                "COPY scoring_recordedevent (unit_id, kind, level, happened_on, title, source, recorded_by_id,"
                " recorded_at, withdrawn_at, withdrawn_reason) FROM STDIN",
                lines,
            )
            progress(min(EVENTS, first + CHUNK), EVENTS)

    # A survey to every unit below the towns, closing in the period; four in five answered.
    survey = services.create_questionnaire(title=SURVEY, owner_unit=province, actor=office)
    services.add_question(
        questionnaire=survey, section_title="基础数据", code="Q1", text="工会会员人数", kind="number", actor=office
    )
    closes = start + timedelta(days=days // 2)
    distribution = Distribution.objects.create(
        questionnaire=survey,
        title=SURVEY,
        issuing_unit=province,
        opens_on=closes - timedelta(days=30),
        closes_on=closes,
        created_by=office,
    )
    below_towns = list(OrgUnit.objects.filter(depth__gte=4).values_list("id", flat=True))
    progress = TerminalProgress("Survey targets")
    submitted_at = _aware(closes - timedelta(days=3), 15).isoformat()
    with connection.cursor() as cursor, transaction.atomic():
        for first in range(0, len(below_towns), CHUNK):
            lines = []
            for unit in below_towns[first : first + CHUNK]:
                done = rng.random() < 0.8
                status, at = ("submitted", submitted_at) if done else (rng.choice(["pending", "draft"]), "\\N")
                lines.append(f"{distribution.pk}\t{unit}\t{status}\t{at}\t0\t\\N\t\t\\N\t{int(done)}\n")
            closeout_data.copy_rows(
                cursor,
                "COPY surveys_target (distribution_id, org_unit_id, status, submitted_at, reminders,"
                " last_reminded_at, return_reason, due_on, version) FROM STDIN",
                lines,
            )
            progress(min(len(below_towns), first + CHUNK), len(below_towns))

    # A satisfaction poll of every town's workers, closing in the period.
    form = services.create_questionnaire(title=POLL_FORM, owner_unit=province, actor=office, kind="worker")
    services.add_question(
        questionnaire=form,
        section_title="满意度",
        code="S1",
        text="您对本镇工会工作的总体评价",
        kind="satisfaction",
        actor=office,
    )
    question = form.questions.get()
    options = {o.value: o.pk for o in question.options.all()}
    towns = list(OrgUnit.objects.filter(kind=OrgKind.TOWN).values_list("id", flat=True))
    progress = TerminalProgress("Satisfaction polls")
    with connection.cursor() as cursor, transaction.atomic():
        poll_id = closeout_data.reserve_ids(cursor, "surveys_poll", len(towns))
        polls, responses, answers = [], [], []
        answered = [rng.randint(*POLL_ANSWERS) for _ in towns]
        response_id = closeout_data.reserve_ids(cursor, "surveys_response", sum(answered))
        for n, (town, count) in enumerate(zip(towns, answered, strict=True)):
            day = start + timedelta(days=rng.randrange(days - 1))
            polls.append(
                f"{poll_id}\t{form.pk}\t基准满意度测评{n + 1}\t{province.pk}\t{town}\ttokens\t\\N\t"
                f"{_aware(day, 18).isoformat()}\tbq{poll_id:014d}\t{office.pk}\t{_aware(day, 9).isoformat()}\n"
            )
            happy = rng.uniform(0.6, 0.98)
            for _ in range(count):
                draw = rng.random()
                level = "very_satisfied" if draw < happy * 0.6 else "satisfied" if draw < happy else "basic"
                if draw > 0.97:
                    level = "unsatisfied"
                responses.append(f"{response_id}\t{form.pk}\t\\N\t{poll_id}\t\\N\t\t\t\\N\t{_aware(day, 12)}\tt\n")
                answers.append(f"{response_id}\t{question.pk}\t{options[level]}\t\\N\t\n")
                response_id += 1
            poll_id += 1
            progress(n + 1, len(towns))
        closeout_data.copy_rows(
            cursor,
            "COPY surveys_poll (id, questionnaire_id, title, owner_unit_id, subject_unit_id, mode, cap, closes_at,"
            " slug, created_by_id, created_at) FROM STDIN",
            polls,
        )
        closeout_data.copy_rows(
            cursor,
            "COPY surveys_response (id, questionnaire_id, target_id, poll_id, token_id, device, address,"
            " submitted_by_id, submitted_at, is_final) FROM STDIN",
            responses,
        )
        closeout_data.copy_rows(
            cursor, "COPY surveys_answer (response_id, question_id, option_id, number, text) FROM STDIN", answers
        )
    assert Questionnaire.objects.filter(title=POLL_FORM).exists()
    with connection.cursor() as cursor:
        for table in ("scoring_recordedevent", "surveys_target", "surveys_poll", "surveys_response", "surveys_answer"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def data_summary(start, end):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM orgs_orgunit), (SELECT count(*) FROM checklists_item),"
            " (SELECT count(*) FROM checklists_itemevent WHERE kind = 'urged' AND at >= %s AND at < %s),"
            " (SELECT count(*) FROM scoring_recordedevent), (SELECT count(*) FROM surveys_target),"
            " (SELECT count(*) FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id"
            "  WHERE r.poll_id IS NOT NULL)",
            [_aware(start, 0), _aware(end + timedelta(days=1), 0)],
        )
        return cursor.fetchone()


# --- the rubric and the round -----------------------------------------------------------------------------


def _criterion(name, kind, points=0, metric="", **more):
    return {"name": name, "kind": kind, "max_points": points, "metric": metric, **more}


def criteria_spec():
    """(section, points, floor, criteria): 30 criteria on the 11 metrics, 300 points in all."""
    rates = ["close_out_rate", "on_time_rate", "first_pass_rate", "survey_completeness", "satisfaction_rate"]
    tiers = [
        [{"from": 95, "points": 12}, {"from": 90, "points": 9}, {"from": 80, "points": 5}, {"from": 60, "points": 2}],
        [{"from": 80, "points": 12}, {"from": 60, "points": 8}, {"from": 40, "points": 4}],
        [{"from": 90, "points": 12}, {"from": 75, "points": 6}],
        [{"from": 99, "points": 12}, {"from": 80, "points": 8}, {"from": 50, "points": 3}],
    ]
    sections = []
    for n, metric in enumerate(rates):
        sections.append(
            (
                f"指标{n + 1}",
                48,
                None,
                [
                    _criterion(f"{metric}·比例", "ratio", 12, metric),
                    _criterion(f"{metric}·比例（半）", "ratio", 12, metric),
                    _criterion(f"{metric}·分档", "tiered", 12, metric, tiers=tiers[n % 4]),
                    _criterion(f"{metric}·分档（二）", "tiered", 12, metric, tiers=tiers[(n + 1) % 4]),
                ],
            )
        )
    sections.append(
        (
            "加分项目",
            60,
            None,
            [
                _criterion("省级表扬", "per_occurrence", metric="praise_provincial", points_each=3, cap=15),
                _criterion("市级以上表扬", "per_occurrence", metric="praise_city", points_each=2, cap=15),
                _criterion("市级以上表扬（一）", "per_occurrence", metric="praise_city", points_each=1, cap=10),
                _criterion("培训", "per_occurrence", metric="training_attended", points_each=1, cap=10),
                _criterion("培训（二）", "per_occurrence", metric="training_attended", points_each=2, cap=10),
            ],
        )
    )
    sections.append(
        (
            "扣分项目",
            0,
            -60,
            [
                _criterion("催办", "per_occurrence", metric="urgings_received", points_each=-2),
                _criterion("催办（封顶）", "per_occurrence", metric="urgings_received", points_each=-1, cap=20),
                _criterion("整改", "per_occurrence", metric="rectifications", points_each=-1, cap=10),
                _criterion("整改（半）", "per_occurrence", metric="rectifications", points_each="-0.5"),
                _criterion("一票否决", "veto", metric="incidents"),
            ],
        )
    )
    return sections


def ensure_rubric(office):
    from scoring import rubrics
    from scoring.models import Rubric

    rubric = Rubric.objects.filter(owner_unit=office.org_unit, name=RUBRIC).first()
    if rubric is not None:
        return rubric
    rubric = rubrics.create_rubric(
        actor=office, name=RUBRIC, year=2026, full_marks=300, excellent_from=240, good_from=200, pass_from=150
    )
    for name, points, floor, criteria in criteria_spec():
        section = rubrics.add_section(rubric=rubric, actor=office, name=name, max_points=points, floor=floor)
        for spec in criteria:
            rubrics.add_criterion(section=section, actor=office, **spec)
    rubric.refresh_from_db()
    if rubrics.problems(rubric):
        raise BenchError(f"the bench rubric does not add up: {rubrics.problems(rubric)}")
    return rubric


def round_units(count):
    """The first ``count`` units below the counties in path order (departments and towns, 35 per county)."""
    from orgs.models import OrgUnit

    units = list(OrgUnit.objects.filter(depth=3).order_by("path")[:count])
    if len(units) < count:
        units += list(OrgUnit.objects.filter(depth=4).order_by("path")[: count - len(units)])
    return units


# --- the hand-written side --------------------------------------------------------------------------------

# Every metric as rows per responsible unit (unit_id, numerator, denominator), the same filters as the
# metric modules; ROLLUP adds each row to every unit of the round whose path is a prefix of the row's unit's
# path (an ancestor's path is the first 9 × (depth + 1) + 1 characters), in the database.
LOCAL_DAY = "(({col}) AT TIME ZONE %(tz)s)::date"
ITEMS = """
    SELECT i.responsible_unit_id AS unit_id, {numerator} AS n, {denominator} AS d
    FROM checklists_item i JOIN checklists_checklist c ON c.id = i.checklist_id
    WHERE c.issued_on BETWEEN %(start)s AND %(end)s
    GROUP BY 1
"""
CLOSED = "i.status = 'closed'"
CLOSED_ON = LOCAL_DAY.format(col="i.closed_at")
PER_UNIT = {
    "close_out_rate": ITEMS.format(numerator=f"count(*) FILTER (WHERE {CLOSED})", denominator="count(*)"),
    "on_time_rate": ITEMS.format(
        numerator=f"count(*) FILTER (WHERE {CLOSED} AND ({CLOSED_ON} <= i.original_deadline"
        f" OR (i.rectifications = 0 AND {CLOSED_ON} <= i.deadline)))",
        denominator="count(*)",
    ),
    "first_pass_rate": ITEMS.format(
        numerator=f"count(*) FILTER (WHERE {CLOSED} AND i.rectifications = 0)",
        denominator=f"count(*) FILTER (WHERE {CLOSED})",
    ),
    "urgings_received": f"""
        SELECT i.responsible_unit_id, count(*), count(*)
        FROM checklists_itemevent e JOIN checklists_item i ON i.id = e.item_id
        WHERE e.kind = 'urged' AND {LOCAL_DAY.format(col="e.at")} BETWEEN %(start)s AND %(end)s
        GROUP BY 1
    """,
    "rectifications": f"""
        SELECT i.responsible_unit_id, count(*), count(*)
        FROM checklists_itemevent e JOIN checklists_item i ON i.id = e.item_id
        WHERE e.kind = 'failed' AND {LOCAL_DAY.format(col="e.at")} BETWEEN %(start)s AND %(end)s
        GROUP BY 1
    """,
    "survey_completeness": """
        SELECT t.org_unit_id, count(*) FILTER (WHERE t.status = 'submitted'), count(*)
        FROM surveys_target t JOIN surveys_distribution d ON d.id = t.distribution_id
        WHERE d.closes_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1
    """,
    "satisfaction_rate": f"""
        SELECT p.subject_unit_id,
               count(*) FILTER (WHERE o.value IN ('very_satisfied', 'satisfied')), count(*)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_option o ON o.id = a.option_id
        JOIN surveys_response r ON r.id = a.response_id
        JOIN surveys_poll p ON p.id = r.poll_id
        WHERE q.kind = 'satisfaction' AND r.is_final
          AND {LOCAL_DAY.format(col="p.closes_at")} BETWEEN %(start)s AND %(end)s
        GROUP BY 1
    """,
}
EVENTS_OF = """
    SELECT unit_id, count(*), count(*) FROM scoring_recordedevent
    WHERE {condition} AND happened_on BETWEEN %(start)s AND %(end)s AND withdrawn_at IS NULL
    GROUP BY 1
"""
PRAISE = "kind IN ('commendation', 'media')"
PER_UNIT.update(
    praise_provincial=EVENTS_OF.format(condition=f"{PRAISE} AND level >= 3"),
    praise_city=EVENTS_OF.format(condition=f"{PRAISE} AND level >= 2"),
    training_attended=EVENTS_OF.format(condition="kind = 'training'"),
    incidents=EVENTS_OF.format(condition="kind = 'incident'"),
)
ROLLUP = """
WITH per_unit(unit_id, n, d) AS ({per_unit}),
     round_units AS (SELECT id, path FROM orgs_orgunit WHERE id = ANY(%(units)s))
SELECT r.id, sum(p.n), sum(p.d)
FROM per_unit p
JOIN orgs_orgunit u ON u.id = p.unit_id
CROSS JOIN LATERAL generate_series(0, u.depth) AS up(depth)
JOIN round_units r ON r.path = left(u.path, 9 * up.depth + 10)
GROUP BY r.id
"""


def hand_values(units, start, end, only=None):
    """``{metric: {unit id: (numerator, denominator)}}`` for the round's units, one query per metric."""
    from django.conf import settings
    from django.db import connection

    params = {"units": [u.pk for u in units], "start": start, "end": end, "tz": settings.TIME_ZONE}
    values = {}
    with connection.cursor() as cursor:
        for key, per_unit in PER_UNIT.items():
            if only is not None and key != only:
                continue
            cursor.execute(ROLLUP.format(per_unit=per_unit), params)
            values[key] = {pk: (int(n), int(d)) for pk, n, d in cursor.fetchall()}
    return values


def compare(round, units, hand):
    """Raise BenchError at the first score whose metric value differs from the hand-written one."""
    from scoring.models import Score

    checked = 0
    scores = Score.objects.filter(round=round).exclude(criterion__metric="")
    for unit_id, metric, numerator, denominator in scores.values_list(
        "unit_id", "criterion__metric", "numerator", "denominator"
    ):
        expected = hand[metric].get(unit_id, (0, 0))
        if (numerator, denominator) != expected:
            raise BenchError(
                f"unit #{unit_id}, {metric}: compute wrote {numerator}/{denominator}, hand-written gives"
                f" {expected[0]}/{expected[1]}"
            )
        checked += 1
    nonzero = sum(1 for metric in hand.values() for n, d in metric.values() if n or d)
    return checked, nonzero


# --- timing -----------------------------------------------------------------------------------------------


def timed(function):
    begin = time.perf_counter()
    result = function()
    return time.perf_counter() - begin, result


def server_settings():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        version = cursor.fetchone()[0]
        values = []
        for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather"):
            cursor.execute("SELECT current_setting(%s)", [name])
            values.append(f"{name}={cursor.fetchone()[0]}")
    return version, ", ".join(values)


def new_round(office, rubric, units, start, end, n):
    from scoring import workflow

    return workflow.create_round(
        actor=office, rubric=rubric, name=f"基准考核{n}", period_start=start, period_end=end, units=units
    )


def drop_rounds(rubric):
    from scoring.models import Round

    for round in Round.objects.filter(rubric=rubric):
        round.delete()


def breakdown(office, rubric, units, start, end):
    """Where compute's time goes: each metric alone, the queries of a first compute and a recompute, one
    settle, and one score adjusted by hand (which settles the whole round)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qingdan import metrics
    from scoring import workflow
    from scoring.models import Score
    from scoring.rubrics import all_criteria

    print()
    print("Where the time goes (one more run):")
    keys = sorted({c.metric for c in all_criteria(rubric) if c.metric})
    totals = [0.0, 0.0]
    print(f"  {'':32}{'app':>9}{'SQL':>9}   ms: the metric module against its hand-written query")
    for key in keys:
        app, _values = timed(lambda key=key: metrics.get(key)(units, start, end))
        sql, _rows = timed(lambda key=key: hand_values(units, start, end, only=key))
        totals[0] += app
        totals[1] += sql
        print(f"  metric {key:<25}{app * 1000:9.0f}{sql * 1000:9.0f}")
    print(f"  the {len(keys)} metrics together{'':14}{totals[0] * 1000:9.0f}{totals[1] * 1000:9.0f}")
    round = new_round(office, rubric, units, start, end, "分解")
    for label in ("first compute", "recompute"):
        with CaptureQueriesContext(connection) as captured:
            seconds, _changed = timed(lambda: workflow.compute(round=round, actor=office))
        queries = captured.captured_queries
        in_db = sum(float(q["time"]) for q in queries)
        print(
            f"  {label:<30}{seconds * 1000:9.0f} ms: {len(queries)} queries, {in_db * 1000:.0f} ms in the"
            f" database, {(seconds - in_db) * 1000:.0f} ms in Python"
        )
        for q in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(q['time']) * 1000:7.0f} ms  {' '.join(q['sql'].split())[:110]}…")
    round = workflow.open_self_assessment(round=round, actor=office)
    score = Score.objects.filter(round=round, criterion__kind="ratio").order_by("pk").first()
    seconds, _score = timed(
        lambda: workflow.adjust(score=score, actor=office, points=score.points, reason="基准：复核")
    )
    print(
        f"  one score adjusted by hand      {seconds * 1000:9.0f} ms (re-reads its unit, re-ranks all {len(units):,})"
    )
    round.delete()


def run(args):
    started = time.perf_counter()
    scope, generated = ensure_data(args)
    from orgs.models import User
    from scoring import workflow
    from scoring.rubrics import all_criteria

    start, end = period()
    version, settings_line = server_settings()
    units_n, items, urgings, events, targets, answers = data_summary(start, end)
    print(f"Assessment benchmark · database {args.database.rsplit('/', 1)[-1]} · PostgreSQL {version}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average {load}")
    print(f"Server: {settings_line}")
    print(
        f"Data{'' if generated else ' (kept from an earlier run)'}: {units_n:,} org units, {items:,} items,"
        f" {urgings:,} urgings in the period, {events:,} recorded events, {targets:,} survey targets,"
        f" {answers:,} poll answers"
    )
    office = User.objects.select_related("org_unit").get(username=scope.province_office)
    rubric = ensure_rubric(office)
    criteria = all_criteria(rubric)
    units = round_units(args.units)
    drop_rounds(rubric)
    print(
        f"Round: {len(units):,} units × {len(criteria)} criteria ({len(units) * len(criteria):,} scores),"
        f" {len({c.metric for c in criteria if c.metric})} metrics, {start} to {end}"
    )

    # Warm up and check: a first compute against the hand-written values.
    round = new_round(office, rubric, units, start, end, 0)
    workflow.compute(round=round, actor=office)
    hand = hand_values(units, start, end)
    checked, nonzero = compare(round, units, hand)
    print(f"values agree: {checked:,} scores from metrics ({nonzero:,} unit × metric values not zero)")
    round.delete()

    first, again, sql = [], [], []
    for n in range(args.repeat):
        round = new_round(office, rubric, units, start, end, n + 1)
        if n % 2:
            sql.append(timed(lambda: hand_values(units, start, end))[0])
        first.append(timed(lambda round=round: workflow.compute(round=round, actor=office))[0])
        again.append(timed(lambda round=round: workflow.compute(round=round, actor=office))[0])
        if not n % 2:
            sql.append(timed(lambda: hand_values(units, start, end))[0])
        round.delete()
        print(f"  repetition {n + 1}: first {first[-1]:.2f} s, recompute {again[-1]:.2f} s, SQL {sql[-1]:.2f} s")

    print()
    print(f"{'':32}{'median':>9}{'min':>9}{'max':>9}   s; ÷ hand-written at the median")
    base = statistics.median(sql)
    for label, times in (("first compute", first), ("recompute", again), ("hand-written SQL", sql)):
        line = f"{label:<32}{statistics.median(times):9.2f}{min(times):9.2f}{max(times):9.2f}"
        if times is not sql:
            line += f"   {statistics.median(times) / base:5.1f}×"
        print(line)
    ratios = {label: statistics.median(times) / base for label, times in (("first", first), ("again", again))}
    ok = all(ratio <= GOAL for ratio in ratios.values())
    print(
        f"Compute: first {ratios['first']:.1f}×, recompute {ratios['again']:.1f}× the hand-written SQL"
        f" ({'within' if ok else 'NOT within'} the {GOAL:.0f}× goal)"
    )
    breakdown(office, rubric, units, start, end)
    print()
    print(f"Run time {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))
