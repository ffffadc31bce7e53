"""The questionnaire builder for office staff: list, create, edit questions, preview, copy,
and the questionnaire's own .xlsx import and export. Leaders may look but not change."""

from collections import Counter
from itertools import groupby

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_POST

from orgs.models import Role
from qingdan.errors import Refused
from qingdan.pages import check_upload, drop_kept_upload, open_kept_upload, paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.spreadsheets import SheetError, write_workbook
from surveys import services
from surveys.forms_builder import QuestionForm, QuestionnaireFilterForm, QuestionnaireForm, QuestionnaireUploadForm
from surveys.imports import COLUMNS, column_titles, import_questions, questionnaire_xlsx, read_and_check
from surveys.models import CHOICE_KINDS, Distribution, Poll, QuestionKind, Response
from surveys.queries import get_questionnaire, visible_questionnaires

VIEWERS = (Role.OFFICE, Role.LEADER)
EDITORS = (Role.OFFICE,)
IMPORT_SESSION_KEY = "surveys_import_{pk}"


def _builder_url(questionnaire, question=None):
    url = reverse("surveys:questionnaire", args=[questionnaire.pk])
    return f"{url}#q{question.pk}" if question is not None else url


def _questions(questionnaire):
    """Every question in answer order with what the builder and preview show of it."""
    return list(
        questionnaire.questions.select_related("section", "show_if_question", "show_if_option")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )


def _by_section(questions):
    return [(section, list(items)) for section, items in groupby(questions, key=lambda q: q.section)]


@role_required(*VIEWERS)
def questionnaire_list(request):
    form = QuestionnaireFilterForm(request.GET or None)
    questionnaires = visible_questionnaires(request.user).annotate(
        n_questions=Count("questions"),
        frozen=Exists(Response.objects.filter(questionnaire=OuterRef("pk")))
        | Exists(Distribution.objects.filter(questionnaire=OuterRef("pk")))
        | Exists(Poll.objects.filter(questionnaire=OuterRef("pk"))),
    )
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            questionnaires = questionnaires.filter(title__icontains=q)
        if kind := form.cleaned_data["kind"]:
            questionnaires = questionnaires.filter(kind=kind)
    page = paginate(request, questionnaires.order_by("-created_at", "-id"))
    return render(
        request,
        "surveys/questionnaire_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "can_edit": request.user.has_role(*EDITORS)},
    )


@role_required(*EDITORS)
def questionnaire_new(request):
    form = QuestionnaireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        questionnaire = services.create_questionnaire(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            owner_unit=request.user.org_unit,
            actor=request.user,
        )
        messages.success(request, _("Questionnaire created; now add its questions or import them from Excel."))
        return redirect("surveys:questionnaire", pk=questionnaire.pk)
    return render(request, "surveys/questionnaire_form.html", {"form": form})


def _builder_page(request, questionnaire, form=None, status=200):
    questions = _questions(questionnaire)
    frozen = questionnaire.is_frozen
    is_editor = request.user.has_role(*EDITORS)
    can_edit = is_editor and not frozen
    if can_edit and form is None:
        last = questions[-1] if questions else None
        form = QuestionForm(initial={"section_title": last.section.title if last else ""})
    condition_sources = [q for q in questions if q.kind in CHOICE_KINDS]
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "sections": _by_section(questions),
            "question_count": len(questions),
            "section_titles": list(dict.fromkeys(q.section.title for q in questions)),
            "condition_sources": condition_sources,
            "condition_options": list(dict.fromkeys(o.label for q in condition_sources for o in q.options.all())),
            "frozen": frozen,
            "is_editor": is_editor,
            "can_edit": can_edit,
            "form": form,
        },
        status=status,
    )


@role_required(*VIEWERS)
def questionnaire_detail(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    return _builder_page(request, questionnaire)


def _check_condition_comes_first(questionnaire, form):
    """A new question goes to the end of its dimension; a condition on a question of a later
    dimension would then never be met, because answers are checked in page order."""
    code = form.cleaned_data["show_if_code"]
    if not code:
        return
    source = questionnaire.questions.select_related("section").filter(code=code).first()
    section = questionnaire.sections.filter(title=form.cleaned_data["section_title"]).first()
    if source is not None and section is not None and section.position < source.section.position:
        form.add_error(
            "show_if_code",
            _("The condition refers to question %(code)s, which does not come before it.") % {"code": code},
        )


@role_required(*EDITORS)
@require_POST
def question_add(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        _check_condition_comes_first(questionnaire, form)
    if form.is_valid():
        try:
            question = services.add_question(
                questionnaire=questionnaire, actor=request.user, **form.service_arguments()
            )
        except Refused as refused:
            if questionnaire.is_frozen:
                # The page no longer shows the form, so the refusal goes above the questions.
                messages.error(request, refused.message)
                return redirect(_builder_url(questionnaire))
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Question %(code)s added.") % {"code": question.code})
            return redirect(_builder_url(questionnaire, question))
    return _builder_page(request, questionnaire, form=form)


def _question_of(request, pk, question_pk):
    questionnaire = get_questionnaire(request.user, pk)
    return get_object_or_404(questionnaire.questions.select_related("section", "questionnaire"), pk=question_pk)


@role_required(*EDITORS)
@require_POST
def question_move(request, pk, question_pk):
    question = _question_of(request, pk, question_pk)
    try:
        services.move_question(question=question, up=request.POST.get("direction") == "up", actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    return redirect(_builder_url(question.questionnaire, question))


@role_required(*EDITORS)
@require_POST
def question_delete(request, pk, question_pk):
    question = _question_of(request, pk, question_pk)
    questionnaire, code = question.questionnaire, question.code
    try:
        services.delete_question(question=question, actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(_builder_url(questionnaire, question))
    messages.success(request, _("Question %(code)s deleted.") % {"code": code})
    return redirect(_builder_url(questionnaire))


@role_required(*EDITORS)
@require_POST
def questionnaire_copy(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    copy = services.copy_questionnaire(questionnaire=questionnaire, actor=request.user)
    messages.success(
        request,
        _("Version %(version)d created as an editable copy of version %(old)d.")
        % {
            "version": copy.version,
            "old": questionnaire.version,
        },
    )
    return redirect("surveys:questionnaire", pk=copy.pk)


@role_required(*VIEWERS)
def questionnaire_preview(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    questions = _questions(questionnaire)
    return render(
        request,
        "surveys/questionnaire_preview.html",
        {"questionnaire": questionnaire, "sections": _by_section(questions), "question_count": len(questions)},
    )


@role_required(*VIEWERS)
def questionnaire_export(request, pk):
    questionnaire = get_questionnaire(request.user, pk)
    return xlsx_response(questionnaire_xlsx(questionnaire), f"{questionnaire.title}-v{questionnaire.version}")


@role_required(*EDITORS)
def questionnaire_import_template(request):
    titles = column_titles()
    with override("zh-hans"):
        kind = {k: str(k.label) for k in QuestionKind}
        sheet = _("Questionnaire")
    examples = [
        ["人员配备", "Q1", "是否配备专职工会干部", kind[QuestionKind.SINGLE], "是", "是=100|否=0", "", "", "", "", ""],
        ["人员配备", "Q2", "未配备的原因", kind[QuestionKind.SHORT_TEXT], "是", "", "", "", "", "请简要说明", "Q1=否"],
    ]
    content = write_workbook(sheet, [titles[key][0] for key, _label in COLUMNS], examples)
    return xlsx_response(content, _("questionnaire-template"))


@role_required(*EDITORS)
def questionnaire_import(request, pk):
    """Upload → row errors or a preview → confirm. The kept file is checked again on confirm."""
    questionnaire = get_questionnaire(request.user, pk)
    session_key = IMPORT_SESSION_KEY.format(pk=questionnaire.pk)
    context = {"questionnaire": questionnaire, "form": QuestionnaireUploadForm()}
    if questionnaire.is_frozen:
        context["frozen"] = True
        if request.method == "POST":
            drop_kept_upload(request, session_key)
            messages.error(
                request,
                _(
                    "This questionnaire has been sent out or answered and cannot be changed; make a new version instead."
                ),
            )
        return render(request, "surveys/questionnaire_import.html", context)
    if request.method == "POST" and "confirm" in request.POST:
        kept = open_kept_upload(request, session_key, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect("surveys:questionnaire_import", pk=questionnaire.pk)
        try:
            with kept:
                errors = import_questions(questionnaire=questionnaire, uploaded=kept, actor=request.user)
        except (Refused, SheetError) as refused:
            drop_kept_upload(request, session_key)
            messages.error(request, refused.message)
            return redirect("surveys:questionnaire_import", pk=questionnaire.pk)
        if not errors:
            drop_kept_upload(request, session_key)
            messages.success(
                request,
                _("Import finished: the questionnaire now has %(n)d questions.")
                % {"n": questionnaire.questions.count()},
            )
            return redirect("surveys:questionnaire", pk=questionnaire.pk)
        context["errors"] = errors
    elif request.method == "POST":
        form = QuestionnaireUploadForm(request.POST, request.FILES)
        context["form"] = form
        checked, context["token"] = check_upload(
            request, form, check=read_and_check, valid=lambda result: not result[1], session_key=session_key
        )
        if checked is not None:
            questions, errors = checked
            if errors:
                context["errors"] = errors
            else:
                counts = Counter(q["section_title"] for q in questions)
                context["preview"] = {
                    "dimensions": list(counts.items()),
                    "total": len(questions),
                    "replaced": questionnaire.questions.count(),
                }
    return render(request, "surveys/questionnaire_import.html", context)
