"""Official documents of items (.docx and printable) and evidence downloads, scoped like the items."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from checklists.models import Document, DocumentKind
from checklists.queries import visible_items
from documents.official import DOCX_CONTENT_TYPE, OfficialDocument, cn_date, render_docx, render_html
from qingdan.pages import download_response, export_stem


def _document(user, pk):
    document = (
        Document.objects.filter(item__in=visible_items(user).values("pk"), pk=pk)
        .select_related("item__checklist", "item__responsible_unit", "issuing_unit")
        .first()
    )
    if document is None:
        raise Http404
    return document


def official(document):
    """The official document (公文) of a Document row. Always in Chinese: it is sent as a notice."""
    item, body = document.item, document.body or {}
    issued_on = timezone.localtime(document.created_at).date()
    with translation.override(settings.LANGUAGE_CODE):
        number = body.get("list_number", item.checklist.doc_number)
        content, standard = body.get("content", item.content), body.get("standard", item.standard)
        subject = _("“%(content)s” in the list “%(list)s”%(number)s") % {
            "content": content,
            "list": body.get("list", item.checklist.title),
            "number": (_(" (%(number)s)") % {"number": number}) if number else "",
        }
        deadline = date.fromisoformat(body["item_deadline"]) if body.get("item_deadline") else item.deadline
        if document.kind == DocumentKind.URGING:
            deadline = date.fromisoformat(body["deadline"]) if body.get("deadline") else item.deadline
            paragraphs = [
                _("The item %(subject)s assigned to your unit was due on %(deadline)s.")
                % {"subject": subject, "deadline": cn_date(deadline)},
                _(
                    "As of %(today)s it is %(days)s days overdue and no application for close-out has been "
                    "received. This is urging notice no. %(n)s for this item."
                )
                % {"today": cn_date(issued_on), "days": body.get("days_overdue", ""), "n": body.get("urging", "")},
                _("Please report how the item is being handled within 5 working days of receiving this notice."),
            ]
        elif document.kind == DocumentKind.RECTIFICATION:
            deadline = date.fromisoformat(body["deadline"]) if body.get("deadline") else item.deadline
            paragraphs = [
                _("The item %(subject)s assigned to your unit did not pass verification.") % {"subject": subject},
                _("Findings: %(text)s") % {"text": body.get("findings", "")},
                _("What to fix: %(text)s") % {"text": body.get("fixes", "")},
                _("Please complete the rectification by %(deadline)s and apply for close-out again.")
                % {"deadline": cn_date(deadline)},
            ]
        else:
            paragraphs = [
                _("The item %(subject)s assigned to your unit has passed verification and is closed out.")
                % {"subject": subject},
            ]
            if body.get("opinion"):
                paragraphs.append(_("Verification opinion: %(text)s") % {"text": body["opinion"]})
        return OfficialDocument(
            title=str(DocumentKind(document.kind).label),
            number=document.number,
            addressee=body.get("unit", item.responsible_unit.name) + "：",
            paragraphs=paragraphs,
            issuer=body.get("issuer", document.issuing_unit.name),
            issued_on=issued_on,
            table=[
                [_("Item content"), _("Completion standard"), _("Deadline")],
                [content, standard, cn_date(deadline)],
            ],
        )


@login_required
def document_download(request, pk):
    document = _document(request.user, pk)
    content = render_docx(official(document))
    # 县交通运输局-整改意见书-滨产改办〔2026〕12号.docx: to whom, what, which.
    unit = (document.body or {}).get("unit") or document.item.responsible_unit.name
    name = export_stem(unit, document.get_kind_display(), document.number)
    return download_response(content, f"{name}.docx", DOCX_CONTENT_TYPE)


@login_required
def document_print(request, pk):
    document = _document(request.user, pk)
    return render(
        request,
        "checklists/document_print.html",
        {"document": document, "html": render_html(official(document)), "item": document.item},
    )
