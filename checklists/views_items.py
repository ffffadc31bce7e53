"""The item pages: the filtered item list and its export; the item with its timeline and the
actions this user may take now; the phone-friendly close-out application.

Every change goes through ``checklists.workflow``; the pages only mirror its rules to decide
which buttons to show, and a form always carries the item version it was opened with, so a
second person acting on the same item gets a conflict message instead of overwriting.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Case, IntegerField, Q, When
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from checklists import figures, permissions, rules, services, workflow
from checklists.forms_items import (
    COLOUR_NAMES,
    NO_CATEGORY,
    ApplyForm,
    DecideExtensionForm,
    DeepReviewForm,
    EvaluationForm,
    ExtensionForm,
    FailForm,
    ItemFilterForm,
    Show,
    UrgeForm,
    VerifyForm,
    status_word,
)
from checklists.inbox import Task, mine_filter, task_filter
from checklists.models import DocumentKind, EventKind, ExtensionStatus, Item, ItemStatus
from checklists.queries import (
    Colour,
    colour_filter,
    get_item,
    late_filter,
    lateness,
    supervision_colour,
    visible_checklists,
    visible_items,
    visible_items_of_unit,
    with_applied_at,
)
from checklists.queries import is_id as _is_id
from evidence import services as library
from evidence.models import Evidence
from orgs.models import Role
from orgs.queries import root_unit
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.pagecache import kept
from qingdan.pages import download_response, export_stem, form_filters, paginate, query_without_page
from qingdan.spreadsheets import XLSX_CONTENT_TYPE, write_workbook

# --- the item list -------------------------------------------------------------------------


# Parameters that filter the list: with any of them and no switch, the list shows every item (old links).
FILTERS = ("q", "status", "unit", "category", "deadline_from", "deadline_to", "colour", "mine", "task")


def _show(request, data):
    if show := data.get("show"):
        return show
    asked = [k for k in (*FILTERS, "office", "month", *FIGURE_FLAGS) if request.GET.get(k)]
    return Show.ALL if asked else Show.OPEN


def _filtered_items(request):
    """The filter form, the switch in force and the items they select, within what the user may see.
    The open views put what waits for the user and what is late first (``first``), then the deadline."""
    user = request.user
    form = ItemFilterForm(request.GET or None, user=user)
    today = clock.today()
    data = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    show = _show(request, data)
    # The status filter and the open or closed view narrow the visible items where they are found.
    narrow = Q(status=data["status"]) if data.get("status") else Q()
    if show == Show.CLOSED:
        narrow &= Q(status=ItemStatus.CLOSED)
    elif show == Show.OPEN:
        narrow &= ~Q(status=ItemStatus.CLOSED)
    if unit := data.get("unit"):
        items = visible_items_of_unit(user, unit, below=bool(data.get("below")), narrow=narrow)
    else:
        items = visible_items(user, narrow)
    if category := data.get("category"):
        if category == NO_CATEGORY:
            items = items.filter(checklist__category__isnull=True)
        else:
            items = items.filter(checklist__category=category)
    if start := data.get("deadline_from"):
        items = items.filter(deadline__gte=start)
    if end := data.get("deadline_to"):
        items = items.filter(deadline__lte=end)
    if colour := data.get("colour"):
        items = items.filter(colour_filter(colour, today))
    if q := (data.get("q") or "").strip():
        items = items.filter(
            Q(content__icontains=q)
            | Q(standard__icontains=q)
            | Q(checklist__title__icontains=q)
            | Q(checklist__doc_number__icontains=q)
        )
    if data.get("mine"):
        items = items.filter(mine_filter(user, today))
    if task := data.get("task"):
        items = items.filter(task_filter(user, task, today))
    # The figures link here with their own filters (issuing office, month of issue, flags).
    items = figures.filter_items(items, _figure_params(request), today)
    mine, late = mine_filter(user, today), late_filter(today)
    if show == Show.MINE:
        items = items.filter(mine)
    elif show == Show.LATE:
        items = items.filter(late)
    # Counted without the joins, the marks and the order (``_marked``): the issuing office's place in the tree would
    # stay in the count of every row (a city's 12,000 open items: 155 ms counted with them).
    counted = items
    items = _marked(items, mine)
    if sort := data.get("sort"):
        order = ("-deadline", "-id") if sort == "-deadline" else ("deadline", "id")
    elif show == Show.ALL:
        order = ("deadline", "id")  # the old view, kept as it was
    elif show == Show.CLOSED:
        order = ("-closed_at", "-id")
    else:
        # The late test first: it is a look at two columns, and the items it takes are not asked whether they
        # wait for the user (subqueries per row), which at a province's tens of thousands of open items counts.
        first = Case(When(late, then=0), When(mine, then=0), default=1, output_field=IntegerField())
        order = (first, "deadline", "id")
    return form, show, items.order_by(*order), counted


def _marked(items, mine):
    """The list's rows with what its table shows besides the item: the list and the unit, the latest application,
    and whether the item waits for the user (``mine``)."""
    items = with_applied_at(items.select_related("checklist", "responsible_unit"))
    return items.annotate(is_mine=Case(When(mine, then=True), default=False, output_field=BooleanField()))


FIGURE_FLAGS = {
    "applied": gettext_lazy("Applied for close-out at least once"),
    "closed": gettext_lazy("Closed out"),
    "first_pass": gettext_lazy("Closed at the first application"),
    "overdue": gettext_lazy("Overdue now"),
    "urged": gettext_lazy("Urged at least once"),
    "rectified": gettext_lazy("Rectified at least once"),
    "rated": gettext_lazy("With a satisfaction rate"),
    "uncategorised": gettext_lazy("No category"),
}


def _figure_params(request):
    return {k: v for k, v in request.GET.items() if k in ("office", "month", *FIGURE_FLAGS)}


def _figure_filters(request):
    """What the figures' filters in the address mean, as (parameter, value, words) for the page."""
    params = _figure_params(request)
    shown = []
    if _is_id(office := params.get("office", "")):
        # An office above the user (the city) is named too when the user sees one of its lists.
        issued = visible_checklists(request.user).filter(issuing_unit_id=int(office)).select_related("issuing_unit")
        if (checklist := issued.only("issuing_unit__name").first()) is not None:
            shown.append(("office", office, _("Issued by %(unit)s") % {"unit": checklist.issuing_unit.name}))
    if month := params.get("month"):
        shown.append(("month", month, _("Issued in %(month)s") % {"month": month}))
    for name, words in FIGURE_FLAGS.items():
        if params.get(name) in ("1", "true", "on"):
            shown.append((name, params[name], words))
    return shown


def _colour_of(item, today):
    colour = supervision_colour(item, today)
    item.colour = colour
    item.colour_name = COLOUR_NAMES[colour] if colour else ""
    item.colour_label = Colour.LABELS[colour] if colour else ""
    return item


def _switches(request, show):
    """The quick switch's links: each keeps the filters in force and changes the view."""
    links = []
    for value, label in Show.choices:
        params = request.GET.copy()
        for name in ("page", "show", "mine"):
            params.pop(name, None)
        params["show"] = value
        links.append({"value": value, "label": label, "query": params.urlencode(), "active": value == show})
    return links


@login_required
@kept
def item_list(request):
    form, show, items, counted = _filtered_items(request)
    today = clock.today()

    def rows(ids):
        return _marked(Item.objects.filter(pk__in=ids), mine_filter(request.user, today))

    page = paginate(request, items, counted=counted, rows=rows)
    for item in page:
        _colour_of(item, today)
        item.late = lateness(item, today)
        item.url = reverse("checklists:item", args=[item.pk])  # once for the table and the phone's card
    params = request.GET.copy()
    params.pop("page", None)
    params["show"] = show
    params["sort"] = "" if params.get("sort") == "-deadline" else "-deadline"
    task = form.cleaned_data.get("task") if form.is_valid() else ""
    folded = sum(1 for name in FILTERS if name not in ("mine", "task") and request.GET.get(name))
    return render(
        request,
        "checklists/item_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "sort_query": params.urlencode(),
            "descending": request.GET.get("sort") == "-deadline",
            "task_label": Task.LABELS.get(task) if task else "",
            "figure_filters": _figure_filters(request),
            "show": show,
            "switches": _switches(request, show),
            "filters_in_force": folded,
        },
    )


# An export of more rows than this is made by a background job (``checklists.jobs.export_items``): the page
# shows its progress and offers the file when it is ready, instead of a request that times out.
EXPORT_IN_REQUEST_ROWS = 5000


@login_required
def item_export(request):
    """Exactly the rows of the list's filters, as .xlsx: at once, or by a background job for a large list."""
    filtered = _filtered_items(request)
    _form, _show, _items, counted = filtered
    if counted.count() > EXPORT_IN_REQUEST_ROWS:
        from jobs import services as jobs

        job = jobs.start(
            kind="checklists.export_items",
            owner=request.user,
            request=request,
            params={"query": request.GET.urlencode()},
            label=_("Export list items"),
        )
        return redirect("jobs:detail", pk=job.pk)
    content, name, _count = item_workbook(request.user, request.GET.urlencode(), request=request, filtered=filtered)
    return download_response(content, name, XLSX_CONTENT_TYPE)


def item_workbook(user, query, *, progress=None, request=None, filtered=None):
    """The .xlsx of the items ``user`` sees under the item list's filters ``query`` (a query string): returns
    ``(content, file name, rows)``. A background job calls it with no request; the export view passes what it has
    already ``filtered``."""
    if request is None:
        request = HttpRequest()
        request.GET, request.user = QueryDict(query), user
    form, _show_, items, counted = filtered or _filtered_items(request)
    today = clock.today()
    total = counted.count() if progress else 0

    def rows():
        for done, item in enumerate(items.iterator(chunk_size=2000), start=1):
            colour = supervision_colour(item, today)
            yield [
                item.checklist.title,
                item.checklist.doc_number,
                item.responsible_unit.name,
                item.content,
                item.standard,
                f"{item.deadline:%Y-%m-%d}",
                str(status_word(item.status)),
                item.urgings,
                str(COLOUR_NAMES[colour]) if colour else "",
            ]
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)

    header = [
        _("List"),
        _("Document number"),
        _("Responsible unit"),
        _("Item content"),
        _("Completion standard"),
        _("Deadline"),
        _("Status"),
        _("Urgings"),
        _("Supervision colour"),
    ]
    # 滨海县总工会-清单事项-逾期-20260916.xlsx: whose, what, the filters in words
    words = [*form_filters(form), *(words for _name, _value, words in _figure_filters(request))]
    stem = export_stem(root_unit(user), _("List items"), *words)
    return write_workbook(_("Items"), header, rows()), f"{stem}-{clock.today():%Y%m%d}.xlsx", total


# --- the item: facts, timeline, actions ----------------------------------------------------


def _within(user, unit):
    return user.org_unit is not None and unit.is_within(user.org_unit)


def _pending_extension(item):
    return item.extensions.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()


def _event_note(event):
    """The facts an event carries besides its opinion, in a few words."""
    data = event.data or {}
    if event.kind == EventKind.APPLIED and data.get("attempt"):
        return _("Application no. %(n)d") % {"n": data["attempt"]}
    if event.kind == EventKind.URGED and data.get("urging"):
        return _("Urging no. %(n)d, %(days)d days overdue") % {"n": data["urging"], "days": data.get("days_overdue", 0)}
    if event.kind == EventKind.FAILED and data.get("deadline"):
        letter = event.document.body if event.document_id else {}
        return _("Findings: %(findings)s; what to fix: %(fixes)s; new deadline: %(day)s") % {
            "findings": letter.get("findings", "—"),
            "fixes": letter.get("fixes", "—"),
            "day": data["deadline"],
        }
    extension = (EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED)
    if event.kind in extension and data.get("new_deadline"):
        return _("New deadline: %(day)s") % {"day": data["new_deadline"]}
    if event.kind == EventKind.DEEP_REVIEW and data.get("evaluator"):
        return _("Evaluator: %(name)s") % {"name": data["evaluator"]}
    if event.kind == EventKind.EVALUATED:
        rate = data.get("satisfaction")
        return _("Conclusion: %(conclusion)s; satisfaction %(rate)s") % {
            "conclusion": _("Passed") if data.get("conclusion") == "pass" else _("Failed"),
            "rate": "—" if rate is None else f"{rate * 100:.1f}%",
        }
    return ""


def _timeline(item):
    evaluations = {e.pk: e for e in item.evaluations.prefetch_related("attachments")}
    evidence = {e.pk: e for e in item.evidence.all()}
    for evaluation in evaluations.values():  # the evaluator's files show with the deep review
        evidence.update({e.pk: e for e in evaluation.attachments.all()})
    # The person and the unit they acted for; an event with no actor is the platform's daily deadline scan.
    events = list(item.events.select_related("actor__org_unit", "document").order_by("-at", "-id"))
    for event in events:
        data = event.data or {}
        pieces = data.get("evidence", [])
        if not isinstance(pieces, list):
            pieces = [pieces]
        event.evidence_list = [evidence[pk] for pk in pieces if pk in evidence]
        event.evaluation = evaluations.get(data.get("evaluation"))
        event.note = _event_note(event)
    return events, list(evidence.values())


def _action_forms(request, item, bound):
    """One form per action the user may take, unbound with the item's version unless ``bound`` has it."""
    user = request.user
    initial = {"version": item.version}

    def form(key, cls, **kwargs):
        if key in bound:
            return bound[key]
        return cls(initial=initial, auto_id=f"id_{key}_%s", **kwargs)

    return {
        "extend": form("extend", ExtensionForm),
        "pass": form("pass", DeepReviewForm, user=user) if item.deep_review_required else form("pass", VerifyForm),
        "deep": form("deep", DeepReviewForm, user=user),
        "fail": form("fail", FailForm),
        "evaluate": form("evaluate", EvaluationForm),
        "decide": form("decide", DecideExtensionForm),
        "urge": form("urge", UrgeForm),
    }


def _render_item(request, item, bound=None):
    bound = bound or {}
    user = request.user
    today = clock.today()
    pending = _pending_extension(item)
    actions = permissions.available_actions(user, item)
    events, evidence = _timeline(item)
    item.applied_at = next((e.at for e in events if e.kind == EventKind.APPLIED), None)  # the latest: newest first
    satisfaction = item.satisfaction
    if satisfaction is None and item.status == ItemStatus.DEEP_REVIEW and item.satisfaction_poll_id:
        satisfaction = workflow.satisfaction_of(item)
    poll = item.satisfaction_poll if item.satisfaction_poll_id else None
    context = {
        "item": _colour_of(item, today),
        "checklist": item.checklist,
        "co_units": list(item.checklist.co_units.all()),
        "actions": actions,
        "forms": _action_forms(request, item, bound),
        "opened": next(iter(bound), ""),
        "pending": pending,
        "events": events,
        "evidence": evidence,
        "documents": list(item.documents.all()),
        "satisfaction": satisfaction,
        "threshold": rules.of(item.checklist, rules.SATISFACTION) / 100,
        "poll": poll,
        "poll_link": poll is not None and user.has_role(Role.OFFICE) and _within(user, poll.owner_unit),
        "late": lateness(item, today),
        "deadline_changed": item.deadline != item.original_deadline,
    }
    return render(request, "checklists/item_detail.html", context)


@login_required
def item_detail(request, pk):
    return _render_item(request, get_item(request.user, pk))


def _act(request, pk, key, form, run):
    """Validate ``form``, call ``run(data)`` (a workflow function); on success redirect to the item
    with the message ``run`` returns. A refusal keeps what was typed; a conflict changes nothing."""
    item = get_item(request.user, pk)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: correct the marked fields."))
        return _render_item(request, item, {key: form})
    try:
        message = run(item, form.cleaned_data)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect("checklists:item", pk=item.pk)
    except Refused as refused:
        messages.error(request, refused.message)
        return _render_item(request, get_item(request.user, pk), {key: form})
    if message:
        messages.success(request, message)
    return redirect("checklists:item", pk=item.pk)


def _check_version(item, data):
    """For the actions the workflow runs without a version (urging, deciding an extension)."""
    if data["version"] != item.version:
        raise Conflict(workflow.ITEM_CHANGED)


@login_required
@require_POST
def item_extend(request, pk):
    def run(item, data):
        workflow.request_extension(
            item=item,
            actor=request.user,
            new_deadline=data["new_deadline"],
            reason=data["reason"],
            version=data["version"],
        )
        return _("The extension request was sent to the office.")

    return _act(request, pk, "extend", ExtensionForm(request.POST, auto_id="id_extend_%s"), run)


@login_required
@require_POST
def item_verify(request, pk):
    decision = request.POST.get("decision")
    if decision not in ("pass", "deep", "fail"):
        raise Http404
    item = get_item(request.user, pk)
    auto_id = f"id_{decision}_%s"
    if decision == "fail":
        form = FailForm(request.POST, auto_id=auto_id)
    elif decision == "deep" or item.deep_review_required:
        form = DeepReviewForm(request.POST, auto_id=auto_id, user=request.user)
    else:
        form = VerifyForm(request.POST, auto_id=auto_id)

    def run(item, data):
        if decision == "fail":
            item = workflow.verify(
                item=item,
                actor=request.user,
                passed=False,
                opinion=data["opinion"],
                findings=data["findings"],
                fixes=data["fixes"],
                new_deadline=data["new_deadline"],
                version=data["version"],
            )
            letter = item.documents.filter(kind=DocumentKind.RECTIFICATION).order_by("-id").first()
            return _("Verification failed; the rectification opinion letter %(number)s was issued.") % {
                "number": letter.number
            }
        item = workflow.verify(
            item=item,
            actor=request.user,
            passed=True,
            opinion=data["opinion"],
            deep_review=decision == "deep",
            evaluator=data.get("evaluator"),
            version=data["version"],
        )
        if item.status == ItemStatus.CLOSED:
            return _("Verification passed; the item is closed out.")
        return _("Verification passed; the item goes to deep review by %(name)s.") % {
            "name": item.evaluator.display_name
        }

    return _act(request, pk, decision, form, run)


@login_required
@require_POST
def item_evaluate(request, pk):
    def run(item, data):
        files = request.FILES.getlist("attachments")
        if problems := library.problems(files):  # every file is checked before any is kept
            raise Refused("；".join(problems))
        item = library.keep_with(
            files,
            actor=request.user,
            then=lambda attachments: workflow.record_evaluation(
                attachments=attachments,
                item=item,
                actor=request.user,
                conclusion=data["conclusion"],
                opinion=data["opinion"],
                report_notes=data["report_notes"],
                ledger_notes=data["ledger_notes"],
                site_notes=data["site_notes"],
                symposium_notes=data["symposium_notes"],
                new_deadline=data["new_deadline"],
                version=data["version"],
            ),
        )
        if item.status == ItemStatus.CLOSED:
            return _("The deep review was recorded; the item is closed out.")
        return _("The deep review was recorded; the item goes back to rectification.")

    return _act(request, pk, "evaluate", EvaluationForm(request.POST, auto_id="id_evaluate_%s"), run)


@login_required
@require_POST
def item_decide_extension(request, pk):
    def run(item, data):
        _check_version(item, data)
        pending = _pending_extension(item)
        if pending is None:
            raise Refused(_("No extension request is waiting for a decision."))
        workflow.decide_extension(extension=pending, actor=request.user, approve=data["approve"], note=data["note"])
        if data["approve"]:
            return _("The extension was approved; the new deadline is %(day)s.") % {
                "day": f"{pending.new_deadline:%Y-%m-%d}"
            }
        return _("The extension was refused.")

    return _act(request, pk, "decide", DecideExtensionForm(request.POST, auto_id="id_decide_%s"), run)


@login_required
@require_POST
def item_urge(request, pk):
    def run(item, data):
        _check_version(item, data)
        document = workflow.urge(item=item, actor=request.user)
        if document is None:
            return _("This item was already urged today.")
        return _("Urging notice %(number)s was issued.") % {"number": document.number}

    return _act(request, pk, "urge", UrgeForm(request.POST, auto_id="id_urge_%s"), run)


# --- applying for close-out (phone-friendly, one screen) -----------------------------------


@login_required
def item_apply(request, pk):
    """The completion report, new files and files from the unit's library, on one screen."""
    user = request.user
    item = get_item(user, pk)
    if not permissions.can_apply(user, item):
        if request.method == "POST":
            # Stale page: the item moved on since the form was opened.
            posted = request.POST.get("version", "")
            if _is_id(posted) and int(posted) != item.version:
                messages.error(request, workflow.ITEM_CHANGED)
                return redirect("checklists:item", pk=item.pk)
        messages.error(request, _("You cannot apply for close-out of this item now."))
        return redirect("checklists:item", pk=item.pk)
    problems, checked = [], set()
    if request.method == "POST":
        form = ApplyForm(request.POST, user=user)
        files = request.FILES.getlist("files")
        checked = {int(v) for v in request.POST.getlist("library") if _is_id(v)}
        if form.is_valid():
            data = form.cleaned_data
            if data["version"] != item.version:
                messages.error(request, workflow.ITEM_CHANGED)
                return redirect("checklists:item", pk=item.pk)
            # Every file is checked before any is kept: one bad file keeps none, and a refusal keeps none.
            problems = library.problems(files)
            if not problems:
                chosen = list(data["library"])
                try:
                    library.keep_with(
                        files,
                        actor=user,
                        then=lambda pieces: workflow.apply_for_closeout(
                            item=item,
                            actor=user,
                            report=data["report"],
                            evidence={piece.pk: piece for piece in [*chosen, *pieces]}.values(),
                            version=data["version"],
                        ),
                    )
                except Conflict as conflict:
                    messages.error(request, conflict.message)
                    return redirect("checklists:item", pk=item.pk)
                except Refused as refused:
                    problems.append(refused.message)
                else:
                    messages.success(
                        request, _("The application for close-out was sent; it now waits for verification.")
                    )
                    return redirect("checklists:item", pk=item.pk)
            # The library files ticked stay ticked for the next try; new files are uploaded again.
            form = ApplyForm(request.POST, user=user)
    else:
        form = ApplyForm(initial={"version": item.version}, user=user)
    attached = set(item.evidence.values_list("pk", flat=True))
    return render(
        request,
        "checklists/item_apply.html",
        {
            "item": item,
            "form": form,
            "problems": problems,
            "checked": checked,
            "attached": attached,
            "accept": ",".join(library.TYPES),
            "max_mb": settings.QINGDAN_MAX_EVIDENCE_BYTES // 1048576,
        },
    )


@login_required
@require_POST
def item_evidence(request, pk):
    """Add evidence to an open item without applying: new files, or files from the unit's library."""
    user = request.user
    item = get_item(user, pk)
    if not permissions.can_add_evidence(user, item):
        messages.error(request, _("You cannot add evidence to this item now."))
        return redirect("checklists:item", pk=item.pk)
    chosen = list(
        Evidence.objects.filter(
            owner_unit=user.org_unit, pk__in=[v for v in request.POST.getlist("library") if _is_id(v)]
        )
    )
    files = request.FILES.getlist("files")

    def attach(pieces):
        pieces = [*pieces, *chosen]
        if not pieces:
            raise Refused(_("Choose a file to upload or one from your unit's library."))
        for piece in pieces:
            services.attach_evidence(item=item, evidence=piece, actor=user)
        return pieces

    try:
        if problems := library.problems(files):  # every file is checked before any is kept
            raise Refused("；".join(problems))
        pieces = library.keep_with(files, actor=user, then=attach)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(n)d files added to the item.") % {"n": len(pieces)})
    return redirect("checklists:item", pk=item.pk)
