"""The parts of bench/province.py beyond the org tree and the items: users, surveys, cases, households, the
assessment round and the load test's fixture. Each writer takes the connection bench/province.py gives it
(COPY on PostgreSQL, executemany on SQLite) or goes through the ORM where the app seals or audits."""

import json
import random
from datetime import datetime, time, timedelta

from bench import closeout_data as data
from bench import scoring_bench
from bench.hardship_bench import _id_number

CHUNK = 20_000
RESPONSES, DEMANDS, DISPUTES, ENTERPRISES, HOUSEHOLDS, EVENTS = 200_000, 50_000, 50_000, 20_000, 50_000, 60_000
POLL_ANSWERS = (8, 25)  # answers per town's satisfaction poll
OPEN_POLLS = 10  # open links (public, no log-in) for the load test's workers, in the first county's towns
RUBRIC = "东海省年度工会工作考核办法"


def _aware(day, hour=10):
    from django.utils import timezone

    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _stamp(day, hour=10):
    return _aware(day, hour).isoformat()


# --- users ------------------------------------------------------------------------------------------------------


def more_users(tree, office):
    """Besides closeout_data.write_users: a leader per county, a reporter per department and town, and the demo's
    names (office at the province; city, reviewer, reporter, leader at the first city and county). One password
    hash for all, the demo password's, computed once for ``office``."""
    from orgs.models import Role, User, UserRole

    people = []

    def person(username, full_name, unit, role):
        people.append((User(username=username, full_name=full_name, org_unit_id=unit.pk, password=office.password),
                       role))  # fmt: skip

    first = tree.counties[0]
    person("office", "省总督办", tree.province, Role.OFFICE)
    person("city", f"{tree.cities[0].name}督办", tree.cities[0], Role.OFFICE)
    person("reviewer", f"{first.name}验收员", first, Role.REVIEWER)
    person("leader", f"{first.name}领导", first, Role.LEADER)
    person("reporter", f"{tree.towns[first.pk][0].name}填报员", tree.towns[first.pk][0], Role.REPORTER)
    for i, county in enumerate(tree.counties):
        person(f"leader{i + 1:03d}", f"{county.name}领导", county, Role.LEADER)
        for j, unit in enumerate(tree.departments[county.pk] + tree.towns[county.pk]):
            person(f"reporter{i + 1:03d}{j + 1:02d}", f"{unit.name}填报员", unit, Role.REPORTER)
    created = User.objects.bulk_create([user for user, _role in people], batch_size=2000)
    UserRole.objects.bulk_create(
        (UserRole(user=user, role=role) for user, (_u, role) in zip(created, people, strict=True)), batch_size=2000
    )


# --- surveys -----------------------------------------------------------------------------------------------------


def surveys(connection, rng, tree, office, scale):
    """A unit survey answered by units below the towns, a satisfaction poll per town, open polls for the load
    test, and recorded events; the questionnaires through surveys.services (audited), the rest in bulk. The
    survey, the poll form and the events carry scoring_bench's titles, so ``scoring_bench.py --no-generate``
    can run on this database."""
    from django.db import transaction
    from django.utils import timezone

    from orgs.models import OrgUnit
    from qingdan.progress import TerminalProgress
    from surveys import services
    from surveys.models import Distribution, Poll, PollMode

    today = timezone.localdate()
    start = today - timedelta(days=365)
    province = office.org_unit
    towns = [town for county in tree.counties for town in tree.towns[county.pk]]
    towns = towns[: max(1, round(len(towns) * min(1.0, scale)))]  # the polls give an eighth of the responses
    answered = [rng.randint(*POLL_ANSWERS) for _ in towns]
    unit_responses = max(10, round(RESPONSES * scale) - sum(answered))

    survey = services.create_questionnaire(title=scoring_bench.SURVEY, owner_unit=province, actor=office)
    for code, text in (("Q1", "工会会员人数"), ("Q2", "职工人数"), ("Q3", "本年度开展职工培训次数")):
        services.add_question(
            questionnaire=survey, section_title="基础数据", code=code, text=text, kind="number", actor=office
        )
    questions = list(survey.questions.order_by("position").values_list("pk", flat=True))
    closes = start + timedelta(days=180)
    distribution = Distribution.objects.create(
        questionnaire=survey, title=scoring_bench.SURVEY, issuing_unit=province,
        opens_on=closes - timedelta(days=30), closes_on=closes, created_by=office,
    )  # fmt: skip
    below = list(
        OrgUnit.objects.filter(depth__gte=4).order_by("id").values_list("id", flat=True)[: round(unit_responses / 0.8)]
    )
    progress = TerminalProgress("surveys_target, surveys_response, surveys_answer")
    with connection.cursor() as cursor, transaction.atomic():
        target_id = data.reserve_ids(cursor, "surveys_target", len(below))
        response_id = data.reserve_ids(cursor, "surveys_response", len(below) + sum(answered))
        for first in range(0, len(below), CHUNK):
            targets, responses, answers = [], [], []
            for unit in below[first : first + CHUNK]:
                done = rng.random() < 0.8
                at = _stamp(closes - timedelta(days=rng.randrange(1, 25)), 15) if done else "\\N"
                status = "submitted" if done else rng.choice(["pending", "draft"])
                targets.append(f"{target_id}\t{distribution.pk}\t{unit}\t{status}\t{at}\t0\t\\N\t\t\\N\t{int(done)}\n")
                if done:
                    responses.append(f"{response_id}\t{survey.pk}\t{target_id}\t\\N\t\\N\t\t\t\\N\t{at}\tt\n")
                    for question in questions:
                        answers.append(f"{response_id}\t{question}\t\\N\t{rng.randint(5, 500)}\t\n")
                    response_id += 1
                target_id += 1
            data.copy_rows(cursor, "COPY surveys_target (id, distribution_id, org_unit_id, status, submitted_at,"
                           " reminders, last_reminded_at, return_reason, due_on, version) FROM STDIN", targets)  # fmt: skip
            _copy_responses(cursor, responses, answers)
            progress(min(len(below), first + CHUNK), len(below))

    form = services.create_questionnaire(title=scoring_bench.POLL_FORM, owner_unit=province, actor=office,
                                         kind="worker")  # fmt: skip
    services.add_question(questionnaire=form, section_title="满意度", code="S1", text="您对本镇工会工作的总体评价",
                          kind="satisfaction", actor=office)  # fmt: skip
    question = form.questions.get()
    options = {o.value: o.pk for o in question.options.all()}
    progress = TerminalProgress("surveys_poll (closed, with answers)")
    with connection.cursor() as cursor, transaction.atomic():
        poll_id = data.reserve_ids(cursor, "surveys_poll", len(towns))
        polls, responses, answers = [], [], []
        for n, (town, count) in enumerate(zip(towns, answered, strict=True)):
            day = start + timedelta(days=rng.randrange(364))
            polls.append(f"{poll_id}\t{form.pk}\t{town.name}职工满意度测评\t{province.pk}\t{town.pk}\ttokens\t\\N\t"
                         f"{_stamp(day, 18)}\tbq{poll_id:014d}\t{office.pk}\t{_stamp(day, 9)}\n")  # fmt: skip
            happy = rng.uniform(0.6, 0.98)
            for _ in range(count):
                draw = rng.random()
                level = "very_satisfied" if draw < happy * 0.6 else "satisfied" if draw < happy else "basic"
                level = "unsatisfied" if draw > 0.97 else level
                responses.append(f"{response_id}\t{form.pk}\t\\N\t{poll_id}\t\\N\t\t\t\\N\t{_stamp(day, 12)}\tt\n")
                answers.append(f"{response_id}\t{question.pk}\t{options[level]}\t\\N\t\n")
                response_id += 1
            poll_id += 1
            if len(responses) >= CHUNK or n == len(towns) - 1:
                data.copy_rows(cursor, "COPY surveys_poll (id, questionnaire_id, title, owner_unit_id, subject_unit_id,"
                               " mode, cap, closes_at, slug, created_by_id, created_at) FROM STDIN", polls)  # fmt: skip
                _copy_responses(cursor, responses, answers)
                polls, responses, answers = [], [], []
            progress(n + 1, len(towns))
    for town in tree.towns[tree.counties[0].pk][:OPEN_POLLS]:
        Poll.objects.create(
            questionnaire=form, title=f"{town.name}职工满意度测评（开放）", owner_unit_id=tree.counties[0].pk,
            subject_unit_id=town.pk, mode=PollMode.OPEN, cap=1_000_000,
            closes_at=_aware(today + timedelta(days=60), 18), created_by=office,
        )  # fmt: skip
    recorded_events(connection, rng, office, start, max(10, round(EVENTS * scale)))


def _copy_responses(cursor, responses, answers):
    data.copy_rows(cursor, "COPY surveys_response (id, questionnaire_id, target_id, poll_id, token_id, device, address,"
                   " submitted_by_id, submitted_at, is_final) FROM STDIN", responses)  # fmt: skip
    data.copy_rows(
        cursor, "COPY surveys_answer (response_id, question_id, option_id, number, text) FROM STDIN", answers
    )


def recorded_events(connection, rng, office, start, count):
    """Praise, media reports, training and incidents recorded by hand, about units below the cities."""
    from django.db import transaction

    from orgs.models import OrgUnit

    units = list(OrgUnit.objects.filter(depth__gte=2).values_list("id", flat=True)[:50_000])
    kinds, weights = ["commendation", "media", "training", "incident", "other"], [20, 35, 35, 3, 7]
    lines = []
    for n in range(count):
        day = start + timedelta(days=rng.randrange(364))
        withdrawn = _stamp(day + timedelta(days=3)) if rng.random() < 0.02 else "\\N"
        lines.append(f"{rng.choice(units)}\t{rng.choices(kinds, weights)[0]}\t{rng.choices([1, 2, 3, 4], [50, 30, 15, 5])[0]}"
                     f"\t{day.isoformat()}\t基准事件{n + 1}\t基准\t{office.pk}\t{_stamp(day + timedelta(days=1), 9)}"
                     f"\t{withdrawn}\t\n")  # fmt: skip
    with connection.cursor() as cursor, transaction.atomic():
        data.copy_rows(cursor, "COPY scoring_recordedevent (unit_id, kind, level, happened_on, title, source,"
                       " recorded_by_id, recorded_at, withdrawn_at, withdrawn_reason) FROM STDIN", lines)  # fmt: skip


# --- demands and disputes -----------------------------------------------------------------------------------------


def cases(connection, cases_bench, rng, tree, scale):
    """Enterprises, demands and disputes with bench/cases_bench's writers, in rounds of 10,000."""
    from django.db import transaction

    from qingdan.progress import TerminalProgress

    with connection.cursor() as cursor, transaction.atomic():
        firms = cases_bench._enterprises(cursor, rng, tree, max(20, round(ENTERPRISES * scale)))
    for writer, count, label in ((cases_bench._demands, DEMANDS, "cases_demand"),
                                 (cases_bench._disputes, DISPUTES, "cases_dispute")):  # fmt: skip
        count = max(10, round(count * scale))
        progress = TerminalProgress(label)
        for start in range(0, count, cases_bench.CHUNK):
            n = min(cases_bench.CHUNK, count - start)
            with connection.cursor() as cursor, transaction.atomic():
                writer(cursor, rng, tree, firms, start, n)
            progress(start + n, count)


# --- households -------------------------------------------------------------------------------------------------------


def households(rng, tree, scale):
    """Hardship files under the counties and towns, through the models (SealedField seals ID numbers, phones and
    bank accounts; identity.facts hashes and masks each ID number as the import does), in batches."""
    from django.db import transaction
    from django.utils import timezone

    from assistance import identity
    from assistance.models import Aid, AidKind, Category, Cause, FileStatus, Household, LivePerson, Member, Relation
    from qingdan.progress import TerminalProgress
    from qingdan.protect import lookup_hash

    count = max(20, round(HOUSEHOLDS * scale))
    today = timezone.localdate()
    places = [unit for county in tree.counties for unit in (county, *tree.towns[county.pk][:5])]
    statuses = [FileStatus.ARCHIVED] * 60 + [FileStatus.PERMANENT] * 8 + [FileStatus.EXITED] * 25
    statuses += [FileStatus.PUBLICISED] * 5 + [FileStatus.TEMPORARY] * 2
    categories = [Category.DEEP, Category.RELATIVE, Category.RELATIVE, Category.ACCIDENT]
    progress = TerminalProgress("assistance_household, assistance_member, assistance_aid")
    person, batch = 0, 2000
    for first in range(0, count, batch):
        size = min(batch, count - first)
        with transaction.atomic():
            files = []
            for n in range(first, first + size):
                unit, status = places[n % len(places)], rng.choice(statuses)
                archived = today - timedelta(days=rng.randrange(30, 2000))
                phone = f"139{n:08d}"
                files.append(Household(
                    org_unit_id=unit.pk, number=f"BQ-{n + 1:07d}", status=status, category=rng.choice(categories),
                    head_name=f"{data.SURNAMES[n % 20]}{data.GIVEN[n % 18]}", address=f"人民路{n}号", phone=phone,
                    phone_hash=lookup_hash(phone, "phone"), bank_account=f"6228480{n:012d}",
                    main_cause=rng.choice(list(Cause)), annual_income=rng.randrange(5000, 60000),
                    applied_on=archived - timedelta(days=30),
                    archived_on=None if status == FileStatus.PUBLICISED else archived,
                    exited_on=min(today, archived + timedelta(days=rng.randrange(30, 900)))
                    if status == FileStatus.EXITED else None,
                    reviewed_on=min(today, archived + timedelta(days=rng.randrange(0, 700))) if rng.random() < 0.7 else None,
                ))  # fmt: skip
            files = Household.objects.bulk_create(files, batch_size=1000)
            members, aid = [], []
            for household in files:
                region = f"33{household.org_unit_id % 10000:04d}"
                for i in range(rng.randint(1, 4)):
                    person += 1
                    number = _id_number(person, region)
                    born, region_code, masked, hashed = identity.facts(number)
                    members.append(Member(
                        household=household, name=household.head_name if i == 0 else f"{household.head_name}之{i}",
                        relation=Relation.HEAD if i == 0 else Relation.CHILD, id_number=number, id_hash=hashed,
                        id_masked=masked, birth_date=born, region_code=region_code,
                    ))  # fmt: skip
                if household.archived_on:
                    for _ in range(rng.randint(0, 3)):
                        given = household.archived_on + timedelta(days=rng.randrange(0, 700))
                        if given <= today:
                            aid.append(Aid(household=household, org_unit_id=household.org_unit_id,
                                           kind=rng.choice(list(AidKind)), amount=rng.choice((500, 1000, 2000, 5000)),
                                           given_on=given, source="工会帮扶资金", delivered_by="张三"))  # fmt: skip
            members = Member.objects.bulk_create(members, batch_size=2000)
            live = [m for m, h in ((m, m.household) for m in members) if h.status != FileStatus.EXITED]
            LivePerson.objects.bulk_create((LivePerson(id_hash=m.id_hash, member=m) for m in live), batch_size=2000)
            Aid.objects.bulk_create(aid, batch_size=2000)
        progress(first + size, count)


# --- the assessment ---------------------------------------------------------------------------------------------------


def assessment(office, units, compute):
    """scoring_bench's 30 criteria as the province's rubric, and a round over the first ``units`` departments and
    towns for the past year, computed (the app's functions: audited)."""
    from django.utils import timezone

    from qingdan.progress import TerminalProgress
    from scoring import rubrics, workflow

    rubric = rubrics.create_rubric(
        actor=office, name=RUBRIC, year=timezone.localdate().year, full_marks=300, excellent_from=240,
        good_from=200, pass_from=150,
    )  # fmt: skip
    for name, points, floor, criteria in scoring_bench.criteria_spec():
        section = rubrics.add_section(rubric=rubric, actor=office, name=name, max_points=points, floor=floor)
        for spec in criteria:
            rubrics.add_criterion(section=section, actor=office, **spec)
    start, end = scoring_bench.period()
    round = workflow.create_round(actor=office, rubric=rubric, name=f"{end.year}年度考核", period_start=start,
                                  period_end=end, units=scoring_bench.round_units(units))  # fmt: skip
    if compute:
        workflow.compute(round=round, actor=office, progress=TerminalProgress("scoring_score"))
    return round


# --- the load test's fixture -----------------------------------------------------------------------------------------


def write_fixture(path, password, per_user=40):
    """The users the load test signs in as, and the items each can act on now: reporters with items of their unit
    waiting for an application, reviewers with applied items of their county that need no deep review."""
    from checklists.models import Item
    from orgs.models import User
    from surveys.models import Poll, PollMode

    rng = random.Random(7)  # noqa: S311
    reporters = []
    for user in User.objects.filter(roles__role="reporter").order_by("username"):
        ids = list(Item.objects.filter(responsible_unit_id=user.org_unit_id, status__in=["issued", "rectifying"])
                   .order_by("id").values_list("id", flat=True)[:per_user])  # fmt: skip
        if ids:
            reporters.append({"username": user.username, "items": ids})
    reviewers = []
    for user in User.objects.filter(roles__role="reviewer").order_by("username"):
        ids = list(Item.objects.filter(checklist__issuing_unit_id=user.org_unit_id, status="applied",
                                       deep_review_required=False).order_by("id").values_list("id", flat=True)[:per_user])  # fmt: skip
        if ids:
            reviewers.append({"username": user.username, "items": ids})
    names = lambda role, prefix: list(  # noqa: E731
        User.objects.filter(roles__role=role, username__startswith=prefix).values_list("username", flat=True)
    )
    rng.shuffle(reporters)
    county = User.objects.get(username="bench_county").org_unit
    fixture = {
        "password": password,
        "reporters": reporters[:2000],
        "reviewers": reviewers,
        "offices": names("office", "bench_county") + ["office", "city"],
        "leaders": names("leader", "leader"),
        "import_units": list(county.children.filter(kind="department").order_by("code").values_list("code", flat=True)),
        "polls": list(Poll.objects.filter(mode=PollMode.OPEN).values_list("slug", flat=True)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fixture, ensure_ascii=False))
    return fixture
