"""Unit surveys: the office distributes a questionnaire to units and watches completeness;
each unit's reporter fills in its task (保存草稿 / 提交) until the office sends it back."""

from collections import defaultdict

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Role
from qingdan import clock, text
from qingdan.errors import Conflict, Refused
from qingdan.pages import paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import write_workbook
from surveys import inbox, queries, services, stats
from surveys.forms_units import (
    WAITING_FILTER,
    DistributeForm,
    DistributionFilterForm,
    DistributionState,
    TargetFilterForm,
    TaskFilterForm,
    TaskState,
)
from surveys.models import Answer, QuestionnaireKind, ResponseStatus
from surveys.validation import AnswersInvalid, load

# How many of the units picked are named in the preview before confirming.
PREVIEW_NAMES = 100
RETURN_REASON_MAX = 500

STATUS_BADGES = {
    ResponseStatus.PENDING: "text-bg-secondary",
    ResponseStatus.DRAFT: "text-bg-info",
    ResponseStatus.SUBMITTED: "text-bg-success",
    ResponseStatus.RETURNED: "text-bg-warning",
}


def _with_badge(target):
    target.badge = STATUS_BADGES.get(target.status, "text-bg-secondary")
    return target


# --- the office: distribute --------------------------------------------------------------


@role_required(Role.OFFICE)
def distribution_start(request):
    """The list page's "distribute" picker: on to the form of the questionnaire picked."""
    try:
        pk = int(request.GET.get("questionnaire", ""))
    except ValueError:
        raise Http404 from None
    questionnaire = queries.get_questionnaire(request.user, pk)
    return redirect("surveys:distribute", pk=questionnaire.pk)


@role_required(Role.OFFICE)
def distribute(request, pk):
    """Pick target units by kind and subtree, dates and a title; preview how many, then send."""
    questionnaire = queries.get_questionnaire(request.user, pk)
    form = DistributeForm(
        request.POST if request.method == "POST" else None, user=request.user, initial={"title": questionnaire.title}
    )
    context = {"questionnaire": questionnaire, "form": form}
    if request.method == "POST":
        valid = form.is_valid()
        data = form.cleaned_data
        if "kind" in data and "root" in data:
            # The count needs only the kind and the root, so it shows before the dates are set.
            units = list(form.target_units(request.user).only("id", "name", "path"))
            context["preview"] = {"count": len(units), "names": [u.name for u in units[:PREVIEW_NAMES]]}
        if valid and "confirm" in request.POST:
            try:
                distribution = services.distribute(
                    questionnaire=questionnaire,
                    title=data["title"],
                    units=units,
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    actor=request.user,
                )
            except Refused as refused:
                context["refused"] = refused.message
            else:
                messages.success(request, _("The survey was sent out; units: %(n)d.") % {"n": len(units)})
                return redirect("surveys:distribution_detail", pk=distribution.pk)
    return render(request, "surveys/distribution_form.html", context)


# --- the office: distributions and completeness ------------------------------------------

# Leaders read the distributions and their completeness, as they read the questionnaires and statistics; only
# the office distributes, reminds and sends a response back.
READERS = (Role.OFFICE, Role.LEADER)


def _distributions(user):
    return queries.visible_distributions(user).annotate(
        expected=Count("targets"),
        submitted=Count("targets", filter=Q(targets__status=ResponseStatus.SUBMITTED)),
    )


@role_required(*READERS)
def distribution_list(request):
    form = DistributionFilterForm(request.GET or None)
    distributions = _distributions(request.user)
    today = clock.today()
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state == DistributionState.OPEN:
            distributions = distributions.filter(opens_on__lte=today, closes_on__gte=today)
        elif state == DistributionState.INCOMPLETE:
            distributions = inbox.open_incomplete(distributions, today)
        elif state == DistributionState.UPCOMING:
            distributions = distributions.filter(opens_on__gt=today)
        elif state == DistributionState.CLOSED:
            distributions = distributions.filter(closes_on__lt=today)
        if q := form.cleaned_data["q"]:
            distributions = distributions.filter(Q(title__icontains=q) | Q(questionnaire__title__icontains=q))
    page = paginate(request, distributions.order_by("-created_at", "-id"))
    for d in page:
        d.rate = d.submitted / d.expected if d.expected else None
    questionnaires = queries.visible_questionnaires(request.user).filter(kind=QuestionnaireKind.UNIT)
    if not request.user.has_role(Role.OFFICE):  # a leader reads the distributions; only the office sends one
        questionnaires = questionnaires.none()
    return render(
        request,
        "surveys/distribution_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "today": today,
            "questionnaires": questionnaires.select_related(None).only("id", "title", "version"),
        },
    )


def _filtered_targets(request, distribution):
    form = TargetFilterForm(request.GET or None)
    targets = distribution.targets.select_related("org_unit__parent").order_by("org_unit__path")
    if form.is_valid() and (status := form.cleaned_data["status"]):
        if status == WAITING_FILTER:
            targets = targets.filter(status__in=inbox.WAITING)
        else:
            targets = targets.filter(status=status)
    return form, targets


@role_required(*READERS)
def distribution_detail(request, pk):
    distribution = queries.get_distribution(request.user, pk)
    total, regions = stats.completeness(distribution)
    form, targets = _filtered_targets(request, distribution)
    status_counts = dict(distribution.targets.values_list("status").annotate(n=Count("id")).order_by())
    page = paginate(request, targets)
    for target in page:
        _with_badge(target)
        target.late = target.submitted_at is not None and not target.on_time
    return render(
        request,
        "surveys/distribution_detail.html",
        {
            "distribution": distribution,
            "total": total,
            # Targets straight under the issuing unit are each their own region: the table would
            # only repeat the targets table.
            "regions": regions if len(regions) < total.expected else [],
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "status_counts": [(value, label, status_counts.get(value, 0)) for value, label in ResponseStatus.choices],
            "waiting": total.expected - total.submitted,
            "today": clock.today(),
            "can_act": request.user.has_role(Role.OFFICE),
        },
    )


@role_required(*READERS)
def distribution_export(request, pk):
    """The targets table as .xlsx, exactly the rows of the status filter."""
    distribution = queries.get_distribution(request.user, pk)
    _form, targets = _filtered_targets(request, distribution)

    def rows():
        for t in targets.iterator(chunk_size=2000):
            yield [
                t.org_unit.code,
                t.org_unit.name,
                t.org_unit.parent.name if t.org_unit.parent_id else "",
                t.get_status_display(),
                timezone.localtime(t.submitted_at).strftime("%Y-%m-%d %H:%M") if t.submitted_at else "",
                ("" if t.submitted_at is None else _("On time") if t.on_time else _("Late")),
                t.reminders,
                t.return_reason,
            ]

    header = [
        _("Unit code"),
        _("Unit name"),
        _("Parent unit"),
        _("Status"),
        _("Submitted at"),
        _("On time"),
        _("Reminders"),
        _("Reason for return"),
    ]
    return xlsx_response(write_workbook(_("Units"), header, rows()), _("survey-units"))


@role_required(Role.OFFICE)
@require_POST
def distribution_remind(request, pk):
    distribution = queries.get_distribution(request.user, pk)
    count = services.remind(distribution=distribution, actor=request.user)
    if count:
        messages.success(request, _("Reminded the units that have not submitted: %(n)d.") % {"n": count})
    else:
        messages.info(request, _("Every unit has submitted; nobody to remind."))
    return redirect("surveys:distribution_detail", pk=distribution.pk)


def _office_target(request, pk, target_pk):
    distribution = queries.get_distribution(request.user, pk)
    target = get_object_or_404(distribution.targets.select_related("org_unit"), pk=target_pk)
    target.distribution = distribution
    return distribution, target


@role_required(Role.OFFICE)
@require_POST
def distribution_return(request, pk, target_pk):
    distribution, target = _office_target(request, pk, target_pk)
    problem = None
    try:
        reason = text.clean(request.POST.get("reason", ""))
    except text.Unclean as exc:
        problem = _("The reason %(problem)s") % {"problem": exc.message}
    else:
        if len(reason) > RETURN_REASON_MAX:
            problem = _("The reason is longer than %(n)d characters.") % {"n": RETURN_REASON_MAX}
    if problem:
        messages.error(request, problem)
    else:
        try:
            services.return_response(target=target, reason=reason, actor=request.user)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The response of %(unit)s was sent back.") % {"unit": target.org_unit.name})
    if request.POST.get("back") == "response":
        return redirect("surveys:distribution_response", pk=distribution.pk, target_pk=target.pk)
    return redirect("surveys:distribution_detail", pk=distribution.pk)


@role_required(*READERS)
def distribution_response(request, pk, target_pk):
    """A unit's submitted (or returned) response, read-only; drafts stay the unit's own."""
    distribution, target = _office_target(request, pk, target_pk)
    if target.status not in (ResponseStatus.SUBMITTED, ResponseStatus.RETURNED):
        raise Http404
    questions = load(distribution.questionnaire)
    return render(
        request,
        "surveys/distribution_response.html",
        {
            "distribution": distribution,
            "target": _with_badge(target),
            "sections": _read_only_sections(questions, _saved_answers(target)),
            "can_act": request.user.has_role(Role.OFFICE),
        },
    )


# --- the units: tasks and the fill page ---------------------------------------------------


@role_required(Role.REPORTER)
def task_list(request):
    form = TaskFilterForm(request.GET or None)
    today = clock.today()
    targets = queries.unit_targets(request.user).select_related("distribution__issuing_unit")
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state == TaskState.TODO:
            targets = targets.filter(inbox.todo(today))
        elif state == TaskState.OVERDUE:
            targets = targets.filter(inbox.overdue(today))
        elif state == TaskState.SUBMITTED:
            targets = targets.filter(status=ResponseStatus.SUBMITTED)
    # What still waits comes first, soonest deadline first.
    targets = targets.annotate(
        done=Case(When(status=ResponseStatus.SUBMITTED, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("done", "distribution__closes_on", "org_unit__path", "pk")
    page = paginate(request, targets)
    for target in page:
        _with_badge(target)
        waiting = target.status != ResponseStatus.SUBMITTED
        target.overdue = waiting and target.distribution.closes_on < today
        target.upcoming = waiting and target.distribution.opens_on > today
    several_units = queries.unit_targets(request.user).values("org_unit").distinct().count() > 1
    return render(
        request,
        "surveys/task_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "several_units": several_units},
    )


def _number_text(number):
    return f"{number.normalize():f}"


def _saved_answers(target):
    """``{question id: [Answer]}`` of the target's response, in the order given."""
    answers = defaultdict(list)
    for a in Answer.objects.filter(response__target=target).select_related("option").order_by("id"):
        answers[a.question_id].append(a)
    return answers


def _form_values(saved):
    """Saved answers as the strings a form posts back (option values, numbers, text)."""
    values = {}
    for question_id, answers in saved.items():
        values[question_id] = [
            a.option.value if a.option_id else _number_text(a.number) if a.number is not None else a.text
            for a in answers
        ]
    return values


def _by_section(items):
    sections = []
    for item in items:
        section = item["question"].section
        if not sections or sections[-1]["section"].pk != section.pk:
            sections.append({"section": section, "items": []})
        sections[-1]["items"].append(item)
    return sections


def _form_sections(questions, values, errors):
    return _by_section(
        {"question": q, "values": values.get(q.pk, []), "error": errors.get(q.code, "")} for q in questions
    )


def _read_only_sections(questions, saved):
    items = []
    for q in questions:
        shown = []
        for a in saved.get(q.pk, []):
            if a.option_id:
                shown.append(a.option.label)
            elif a.number is not None:
                shown.append(_number_text(a.number))
            else:
                shown.append(a.text)
        items.append({"question": q, "shown": shown})
    return _by_section(items)


@role_required(Role.REPORTER)
def task_fill(request, pk):
    """The unit's response: save a draft, submit; read-only once submitted."""
    target = queries.get_target(request.user, pk)
    distribution = target.distribution
    questions = load(distribution.questionnaire)
    values, errors, problem, conflict = None, {}, None, False
    version = target.version
    if request.method == "POST":
        raw = {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}
        submit = "submit" in request.POST
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1  # a form without its version is as stale as can be
        try:
            services.save_unit_response(target=target, raw=raw, actor=request.user, submit=submit, version=version)
        except AnswersInvalid as invalid:
            errors = invalid.errors
            problem = _("Nothing was saved. Answers to correct: %(n)d (marked below).") % {"n": len(errors)}
        except Conflict:
            conflict = True
            problem = _(
                "This response was changed by someone else since you opened it; nothing was saved. "
                "Copy what you typed, reload the page and try again."
            )
        except Refused as refused:
            problem = refused.message
        else:
            if submit:
                messages.success(request, _("The response was submitted."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("surveys:task_fill", pk=target.pk)
        values = raw
        target.refresh_from_db(fields=["status", "version", "submitted_at", "return_reason"])
    # Typed answers stay on the page when they were refused for their content or a stale form;
    # a response already submitted is otherwise shown as submitted.
    read_only = target.status == ResponseStatus.SUBMITTED and not (errors or conflict)
    saved = _saved_answers(target)
    today = clock.today()
    context = {
        "target": _with_badge(target),
        "distribution": distribution,
        "problem": problem,
        "errors": [(q, errors[q.code]) for q in questions if q.code in errors],
        "read_only": read_only,
        "not_yet_open": today < distribution.opens_on,
        "closed": today > distribution.closes_on,
        "version": version,
    }
    if read_only:
        context["sections"] = _read_only_sections(questions, saved)
    else:
        context["sections"] = _form_sections(questions, values if values is not None else _form_values(saved), errors)
    return render(request, "surveys/task_fill.html", context)
