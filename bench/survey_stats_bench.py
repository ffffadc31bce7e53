"""Survey statistics benchmark: the app's figures of one big questionnaire against hand-written SQL.

Run from the project root:  .venv/bin/python bench/survey_stats_bench.py [--responses 50000] [--repeat 5]

It (re)creates its own PostgreSQL database (default qingdan_bench on 127.0.0.1), migrates it and
generates one unit survey: the 56-question, 5-dimension questionnaire of the tests
(surveys.tests.helpers.heilongjiang_rows), distributed by surveys.services.distribute to N
grassroots unions spread over 120 county federations, each unit with one final response.
The org units, responses and answers are written with COPY, not through the services.

Then, with a warm cache, it times ``--repeat`` times each, alternating:

  app           surveys.stats.question_figures + dimension_scores + dimension_scores(by_unit=True)
  hand-written  three raw SQL statements that compute the same figures from the same rows

and prints the medians and their ratio (the goal is app ÷ hand-written ≤ 3). Both must give the
same numbers, or the run fails. Only 127.0.0.1 (or the --database URL) is contacted.
"""

import argparse
import math
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

from bench import pg  # noqa: E402 - needs the path above
from bench.pg import BenchError, prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_bench"
TITLE = "基层工会建设情况调查（性能测试）"
COUNTIES = 120
CHUNK = 1000  # responses per COPY write and per progress update
GOAL = 3.0
TEXTS = [
    "已列入下一年度工作计划，正在推进",
    "经费不足，已向上级工会申请补助",
    "专职人员调离，正在重新选配",
    "场地改造中，预计年底前完成",
    "制度已起草，待职代会审议通过",
    "企业规模较小，与邻近单位联建",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=50000, help="final responses to generate (default 50000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database and its data if present (no drop, no new data)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated answers")
    parser.add_argument("--plan", action="store_true", help="print the whole plan of the app's slowest query")
    args = parser.parse_args()
    if args.responses < 1 or args.repeat < 1:
        parser.error("--responses and --repeat must be at least 1")
    return args


# --- database -------------------------------------------------------------------------------------------


def setup_django(url):
    os.environ["QINGDAN_DATABASE_URL"] = url
    os.environ["QINGDAN_DEBUG"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingdan.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def reserve_ids(cursor, table, count):
    """``count`` fresh primary keys of ``table`` from its sequence, so rows can be COPY'd with their ids."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor, statement, lines):
    """COPY text-format ``lines`` (already tab-separated, \\N for NULL) into a table."""
    with cursor.copy(statement) as copy:
        copy.write("".join(lines))


# --- data ------------------------------------------------------------------------------------------------


def find_questionnaire():
    from surveys.models import Questionnaire

    return Questionnaire.objects.filter(title=TITLE).order_by("id").first()


def generate(count, seed):
    """Org tree, office user, questionnaire, distribution, ``count`` final responses with their answers."""
    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import OrgKind, OrgUnit, Role
    from orgs.services import PATH_DIGITS, create_user, save_unit
    from qingdan.actors import SYSTEM
    from qingdan.progress import TerminalProgress
    from surveys import services
    from surveys.imports import import_questions
    from surveys.models import Target
    from surveys.tests.helpers import heilongjiang_rows, xlsx
    from surveys.validation import load

    rng = random.Random(seed)
    root = save_unit(unit=OrgUnit(code="HLJ", name="黑龙江省总工会", kind=OrgKind.PROVINCE), actor=SYSTEM)
    counties = [
        save_unit(
            unit=OrgUnit(code=f"HLJ-C{i:03d}", name=f"第{i}县总工会", kind=OrgKind.COUNTY, parent=root), actor=SYSTEM
        )
        for i in range(1, COUNTIES + 1)
    ]
    office = create_user(
        username="bench_office",
        full_name="督办人员",
        org_unit=root,
        roles=[Role.OFFICE],
        password="Bench-Qd-2026!",
        actor=SYSTEM,
    )
    questionnaire = services.create_questionnaire(title=TITLE, owner_unit=root, actor=office)
    errors = import_questions(questionnaire=questionnaire, uploaded=xlsx(heilongjiang_rows()), actor=office)
    if errors:
        raise BenchError(f"the questionnaire did not import: {errors}")

    with connection.cursor() as cursor, transaction.atomic():
        # Grassroots unions, round-robin under the counties, with their materialised paths.
        ids = reserve_ids(cursor, "orgs_orgunit", count)
        lines = []
        for n, pk in enumerate(ids, start=1):
            county = counties[(n - 1) % COUNTIES]
            path = f"{county.path}{pk:0{PATH_DIGITS}d}/"
            name = f"{county.name}第{(n - 1) // COUNTIES + 1}基层工会"
            lines.append(
                f"{pk}\tHLJ-G{n:06d}\t{name}\t{OrgKind.GRASSROOTS}\t{county.pk}\t{path}\t{county.depth + 1}\t\n"
            )
        copy_rows(
            cursor,
            "COPY orgs_orgunit (id, code, name, kind, parent_id, path, depth, document_prefix) FROM STDIN",
            lines,
        )

    today = timezone.localdate()
    opens_on, closes_on = today - timedelta(days=40), today - timedelta(days=10)
    units = OrgUnit.objects.filter(kind=OrgKind.GRASSROOTS, path__startswith=root.path).order_by("id")
    distribution = services.distribute(
        questionnaire=questionnaire,
        title="2026年基层工会建设情况调查",
        units=units,
        opens_on=opens_on,
        closes_on=closes_on,
        actor=office,
    )
    targets = list(Target.objects.filter(distribution=distribution).order_by("id").values_list("id", flat=True))

    plan = answer_plan(load(questionnaire))
    progress = TerminalProgress("Generating responses")
    start = timezone.make_aware(datetime.combine(opens_on, clock(8)))
    span = (closes_on - opens_on).days * 86400 + 5 * 86400  # a few late ones
    with connection.cursor() as cursor, transaction.atomic():
        response_ids = reserve_ids(cursor, "surveys_response", count)
        for first in range(0, count, CHUNK):
            response_lines, answer_lines = [], []
            for pk, target in zip(response_ids[first : first + CHUNK], targets[first : first + CHUNK], strict=True):
                submitted = start + timedelta(seconds=rng.randrange(span))
                response_lines.append(f"{pk}\t{questionnaire.pk}\t{target}\t\t{submitted.isoformat()}\tt\n")
                answer_lines.extend(answer_rows(rng, pk, plan))
            copy_rows(
                cursor,
                "COPY surveys_response (id, questionnaire_id, target_id, device, submitted_at, is_final) FROM STDIN",
                response_lines,
            )
            copy_rows(
                cursor,
                "COPY surveys_answer (response_id, question_id, option_id, number, text) FROM STDIN",
                answer_lines,
            )
            progress(min(first + CHUNK, count), count)
        cursor.execute(
            "UPDATE surveys_target t SET status = 'submitted', submitted_at = r.submitted_at, version = 1"
            " FROM surveys_response r WHERE r.target_id = t.id AND t.distribution_id = %s",
            [distribution.pk],
        )
    return questionnaire


def answer_plan(questions):
    """What ``answer_rows`` needs of each question, read once: options best-scored first, ranges."""
    plan = []
    for q in questions:
        options = [o.pk for o in sorted(q.options.all(), key=lambda o: (-(o.score or 0), o.position))]
        low = int(q.min_value) if q.min_value is not None else 0
        high = int(q.max_value) if q.max_value is not None else 1000
        plan.append(
            (q.pk, q.kind, q.required, q.show_if_question_id, q.show_if_option_id, options, q.scale_max, low, high)
        )
    return plan


def answer_rows(rng, response_id, plan):
    """COPY lines of one plausible submission: every required shown question answered, show-if respected.

    Each response gets a quality in [0.3, 0.95]: the chance of the best-scored option and of each rating step."""
    from surveys.models import QuestionKind

    quality = rng.uniform(0.3, 0.95)
    picked, lines = {}, []
    for pk, kind, required, if_question, if_option, options, scale, low, high in plan:
        if if_question is not None and if_option is not None and if_option not in picked.get(if_question, ()):
            continue
        if not required and rng.random() < 0.15:
            continue
        prefix = f"{response_id}\t{pk}\t"
        if kind in (QuestionKind.SINGLE, QuestionKind.SATISFACTION):
            option = options[0] if rng.random() < quality else rng.choice(options[1:])
            picked[pk] = {option}
            lines.append(f"{prefix}{option}\t\\N\t\n")
        elif kind == QuestionKind.MULTIPLE:
            chosen = rng.sample(options, rng.randint(1, min(3, len(options))))
            picked[pk] = set(chosen)
            lines.extend(f"{prefix}{option}\t\\N\t\n" for option in chosen)
        elif kind == QuestionKind.RATING:
            value = 1 + sum(rng.random() < quality for _ in range(scale - 1))
            lines.append(f"{prefix}\\N\t{value}\t\n")
        elif kind == QuestionKind.NUMBER:
            value = int(rng.triangular(low, high, low + (high - low) / 10))
            lines.append(f"{prefix}\\N\t{value}\t\n")
        else:
            lines.append(f"{prefix}\\N\t\\N\t{rng.choice(TEXTS)}\n")
    return lines


# --- the two sides ---------------------------------------------------------------------------------------


def app_figures(questionnaire):
    """The app's statistics, fully evaluated."""
    from surveys.stats import dimension_scores, final_responses, question_figures

    responses = final_responses(questionnaire)
    figures = question_figures(questionnaire, responses)
    overall = dimension_scores(responses)
    by_unit = dimension_scores(responses, by_unit=True)
    return figures, overall, by_unit


# Per question and option: answers; per question: answering responses and the mean of the numbers.
# A multiple choice has one row per option picked, hence the DISTINCT, needed only for those questions.
SQL_QUESTIONS = """
WITH per_option AS (
    SELECT a.question_id, a.option_id, count(*) AS n, sum(a.number) AS total, count(a.number) AS numbers
    FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
    WHERE r.questionnaire_id = %(q)s AND r.is_final
    GROUP BY a.question_id, a.option_id
), multiple AS (
    SELECT a.question_id, count(DISTINCT a.response_id) AS answered
    FROM surveys_answer a
    JOIN surveys_response r ON r.id = a.response_id
    JOIN surveys_question q ON q.id = a.question_id
    WHERE r.questionnaire_id = %(q)s AND r.is_final AND q.kind = 'multiple'
    GROUP BY a.question_id
)
SELECT p.question_id, p.option_id, p.n,
       coalesce(m.answered, sum(p.n) OVER w),
       sum(p.total) OVER w / nullif(sum(p.numbers) OVER w, 0)
FROM per_option p LEFT JOIN multiple m ON m.question_id = p.question_id
WINDOW w AS (PARTITION BY p.question_id)
"""

# Dimension scores overall (org_unit_id NULL) and per unit, with the rule of surveys/stats.py.
SQL_SCORES = """
SELECT q.section_id, t.org_unit_id,
       avg(CASE WHEN q.kind = 'rating' THEN (a.number - 1) * 100 / (q.scale_max - 1) ELSE o.score END),
       GROUPING(t.org_unit_id)
FROM surveys_answer a
JOIN surveys_response r ON r.id = a.response_id
JOIN surveys_question q ON q.id = a.question_id
LEFT JOIN surveys_option o ON o.id = a.option_id
LEFT JOIN surveys_target t ON t.id = r.target_id
WHERE r.questionnaire_id = %(q)s AND r.is_final
  AND q.kind <> 'multiple' AND (q.kind = 'rating' OR o.score IS NOT NULL)
GROUP BY GROUPING SETS ((q.section_id), (q.section_id, t.org_unit_id))
"""

# The first 200 text answers of each text question, in the order they were stored.
SQL_TEXTS = """
SELECT question_id, text FROM (
    SELECT a.question_id, a.id, a.text, row_number() OVER (PARTITION BY a.question_id ORDER BY a.id) AS rank
    FROM surveys_answer a
    JOIN surveys_response r ON r.id = a.response_id
    JOIN surveys_question q ON q.id = a.question_id
    WHERE r.questionnaire_id = %(q)s AND r.is_final AND q.kind IN ('short_text', 'long_text')
) ranked
WHERE rank <= %(shown)s
ORDER BY question_id, id
"""


def hand_figures(questionnaire):
    """The same figures from three raw statements; returns the raw rows."""
    from django.db import connection

    from surveys.stats import TEXTS_SHOWN

    params = {"q": questionnaire.pk, "shown": TEXTS_SHOWN}
    with connection.cursor() as cursor:
        results = []
        for statement in (SQL_QUESTIONS, SQL_SCORES, SQL_TEXTS):
            cursor.execute(statement, params)
            results.append(cursor.fetchall())
    return results


# --- checking that both agree ----------------------------------------------------------------------------


def _number(value):
    return None if value is None else float(value)


def normalise_app(result):
    figures, overall, by_unit = result
    questions = {}
    for item in figures:
        questions[item.question.pk] = (
            item.answered,
            item.mean,
            {option.pk: count for option, count, _share in item.options if count and hasattr(option, "pk")},
            item.texts,
        )
    return questions, overall, by_unit


def normalise_hand(rows, questionnaire):
    from surveys.validation import load

    question_rows, score_rows, text_rows = rows
    questions = {q.pk: [0, None, {}, []] for q in load(questionnaire)}
    for question_id, option_id, n, answered, mean in question_rows:
        entry = questions[question_id]
        entry[0], entry[1] = answered, _number(mean)
        if option_id is not None:
            entry[2][option_id] = n
    for question_id, text in text_rows:
        questions[question_id][3].append(text)
    overall, by_unit = {}, {}
    for section_id, unit_id, score, grouped in score_rows:
        if grouped:
            overall[section_id] = _number(score)
        else:
            by_unit.setdefault(unit_id, {})[section_id] = _number(score)
    return {pk: tuple(entry) for pk, entry in questions.items()}, overall, by_unit


def _close(a, b):
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def compare(app, hand):
    """Raise BenchError naming the first figure that differs."""
    app_questions, app_overall, app_units = app
    hand_questions, hand_overall, hand_units = hand
    if app_questions.keys() != hand_questions.keys():
        raise BenchError("the two sides cover different questions")
    for pk, (answered, mean, options, texts) in app_questions.items():
        h_answered, h_mean, h_options, h_texts = hand_questions[pk]
        if answered != h_answered or not _close(mean, h_mean) or options != h_options or texts != h_texts:
            raise BenchError(
                f"question {pk} differs: app {answered}, {mean}, {options}, {len(texts)} texts;"
                f" hand-written {h_answered}, {h_mean}, {h_options}, {len(h_texts)} texts"
            )
    for label, a, b in [("overall", app_overall, hand_overall)] + [
        (f"unit {unit}", app_units.get(unit, {}), hand_units.get(unit, {})) for unit in app_units.keys() | hand_units
    ]:
        if a.keys() != b.keys() or not all(_close(a[k], b[k]) for k in a):
            raise BenchError(f"dimension scores ({label}) differ: app {a}, hand-written {b}")


# --- timing and reporting --------------------------------------------------------------------------------


def timed(function, *args):
    begin = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - begin, result


def app_queries(questionnaire):
    """The app's queries of one more run, slowest first, as (seconds, sql)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        app_figures(questionnaire)
    return sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)


def explain(sql_text, whole):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text)
        lines = [row[0] for row in cursor.fetchall()]
    if whole:
        return lines
    return [lines[0]] + [line.strip() for line in lines if line.strip().startswith(("Planning Time", "Execution Time"))]


def server_settings():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        version = cursor.fetchone()[0]
        names = ["shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather"]
        values = []
        for name in names:
            cursor.execute("SELECT current_setting(%s)", [name])
            values.append(f"{name}={cursor.fetchone()[0]}")
    return version, ", ".join(values)


def counts(questionnaire):
    from surveys.models import Answer, Response

    responses = Response.objects.filter(questionnaire=questionnaire, is_final=True).count()
    answers = Answer.objects.filter(response__questionnaire=questionnaire, response__is_final=True).count()
    return questionnaire.questions.count(), questionnaire.sections.count(), responses, answers


def run(args):
    name = prepare_database(args.database, args.keep)
    setup_django(args.database)
    from django.db import connection

    version, settings_line = server_settings()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Survey statistics benchmark · database {name} · PostgreSQL {version}")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average {load}")
    print(f"Server: {settings_line}")

    questionnaire = find_questionnaire() if args.keep else None
    if questionnaire is None:
        begin = time.perf_counter()
        questionnaire = generate(args.responses, args.seed)
        generated = time.perf_counter() - begin
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        vacuumed = time.perf_counter() - begin
        print(f"Generated the data in {generated:.1f} s; VACUUM (ANALYZE) took {vacuumed:.1f} s")
    else:
        print(f"Reusing the data of questionnaire #{questionnaire.pk} (--keep)")
    questions, sections, responses, answers = counts(questionnaire)
    print(
        f"Questionnaire #{questionnaire.pk}: {questions} questions in {sections} dimensions,"
        f" {responses:,} final responses, {answers:,} answers"
    )

    # Warm up both sides (cache, plans, imports) and check that they agree.
    app_result = app_figures(questionnaire)
    hand_result = hand_figures(questionnaire)
    compare(normalise_app(app_result), normalise_hand(hand_result, questionnaire))
    units = len(app_result[2])
    print(f"results agree: {questions} questions, {sections} dimension scores overall and for {units:,} units")

    app_times, hand_times = [], []
    for i in range(args.repeat):
        sides = [(app_times, app_figures), (hand_times, hand_figures)]
        for times, function in sides if i % 2 == 0 else reversed(sides):
            seconds, _result = timed(function, questionnaire)
            times.append(seconds)
    app_ms, hand_ms = statistics.median(app_times) * 1000, statistics.median(hand_times) * 1000
    ratio = app_ms / hand_ms
    print()
    print(f"{'':14}{'median':>10}{'min':>10}{'max':>10}   (ms, {args.repeat} runs each, alternating)")
    for label, times in (("app", app_times), ("hand-written", hand_times)):
        median = statistics.median(times) * 1000
        print(f"{label:14}{median:10.0f}{min(times) * 1000:10.0f}{max(times) * 1000:10.0f}")
    verdict = "within" if ratio <= GOAL else "NOT within"
    print(f"Ratio app / hand-written: {ratio:.2f}× ({verdict} the {GOAL:.0f}× goal)")

    queries = app_queries(questionnaire)
    print()
    print(f"The app ran {len(queries)} queries in {sum(t for t, _sql in queries) * 1000:.0f} ms; the slowest:")
    for seconds, sql_text in queries[:3]:
        print(f"  {seconds * 1000:7.0f} ms  {sql_text[:110]}…")
    slowest = queries[0][1]
    print("EXPLAIN (ANALYZE, BUFFERS) of the slowest:")
    print("  " + slowest[:400] + ("…" if len(slowest) > 400 else ""))
    for line in explain(slowest, args.plan):
        print("  " + line)
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))
