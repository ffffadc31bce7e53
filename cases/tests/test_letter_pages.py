"""The letters' pages: list with figures and filters, a new 提示函, delivery, answer, escalation, the document."""

from datetime import date
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Letter, LetterStatus
from cases.tests.test_letter_flow import PDF, at, delivered, notice
from documents.official import plain_text
from evidence.models import Evidence


@pytest.fixture
def letter(office, firm_a):
    return notice(office, firm_a)


def test_the_office_issues_a_reminder_letter_from_the_form(client_for, office, firm_a):
    client = client_for(office)
    response = client.post(
        reverse("cases:letter_new"), {"enterprise": firm_a.pk, "problem": "拖欠工资", "asks": "限期支付"}
    )
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:letter", args=[letter.pk])
    page = client.get(response["Location"]).content.decode()
    assert "滨海县工提〔2026〕1号" in page and "提示函" in page
    assert 'data-testid="delivery-form"' in page


def test_a_letter_about_another_countys_dispute_or_a_stale_link_is_404(client_for, office):
    client = client_for(office)
    assert client.get(reverse("cases:letter_new") + "?dispute=999").status_code == 404
    assert client.get(reverse("cases:letter_new") + "?enterprise=999").status_code == 404


def test_an_empty_form_says_what_is_missing_and_issues_nothing(client_for, office, firm_a):
    response = client_for(office).post(reverse("cases:letter_new"), {"enterprise": firm_a.pk, "problem": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()  # the user sees which field is missing
    assert not Letter.objects.exists()


def test_the_list_shows_figures_per_kind_with_links(
    client_for, office, firm_a, frozen_clock, django_assert_max_num_queries
):
    notice(office, firm_a)
    late = delivered(notice(office, firm_a), office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))
    client = client_for(office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:letters"))
    page = response.content.decode()
    assert response.context["figures"][0]["issued"] == 2 and response.context["figures"][0]["overdue"] == 1
    assert "?kind=notice&amp;overdue=1" in page
    overdue = client.get(reverse("cases:letters") + "?kind=notice&overdue=1")
    assert [x.pk for x in overdue.context["page"]] == [late.pk]


def test_the_list_is_50_a_page_with_a_bounded_query_count(client_for, office, firm_a, django_assert_max_num_queries):
    for _ in range(55):
        notice(office, firm_a)
    client = client_for(office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:letters"))
    assert len(response.context["page"].object_list) == 50


def test_the_other_county_gets_404_on_every_letter_page(client_for, outsider, letter):
    client = client_for(outsider)
    for name in ("cases:letter", "cases:letter_docx", "cases:letter_print"):
        assert client.get(reverse(name, args=[letter.pk])).status_code == 404
    for name in ("cases:letter_deliver", "cases:letter_answer", "cases:letter_escalate"):
        assert client.post(reverse(name, args=[letter.pk]), {"version": 0}).status_code == 404
    assert client.get(reverse("cases:letters")).context["page"].paginator.count == 0


def test_delivery_through_the_page_keeps_the_receipt_and_shows_the_due_date(client_for, office, letter, frozen_clock):
    frozen_clock.move_to(at(date(2026, 9, 28)))
    client = client_for(office)
    response = client.post(
        reverse("cases:letter_deliver", args=[letter.pk]),
        {"delivered_on": "2026-09-28", "version": 0, "receipt": SimpleUploadedFile("回执.pdf", PDF)},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_due == date(2026, 10, 16)
    page = client.get(response["Location"]).content.decode()
    assert "2026-10-16" in page
    assert client.get(reverse("evidence:file", args=[letter.receipt_id])).status_code == 200


def test_a_delivery_before_the_issue_date_is_refused_on_the_page_and_leaves_no_file(client_for, office, letter):
    response = client_for(office).post(
        reverse("cases:letter_deliver", args=[letter.pk]),
        {"delivered_on": "2026-09-01", "version": 0, "receipt": SimpleUploadedFile("回执.pdf", PDF)},
    )
    assert response.status_code == 200
    assert "不能早于" in response.content.decode() or "before it was issued" in response.content.decode()
    assert not Evidence.objects.exists()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED


def test_a_receipt_that_is_not_a_document_is_refused(client_for, office, letter):
    response = client_for(office).post(
        reverse("cases:letter_deliver", args=[letter.pk]),
        {"delivered_on": "2026-09-16", "version": 0, "receipt": SimpleUploadedFile("回执.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 200 and not Evidence.objects.exists()
    assert "回执.pdf" in response.content.decode()  # the message names the file refused


def test_a_stale_form_says_someone_else_changed_it(client_for, office, letter, frozen_clock):
    letter = delivered(letter, office, date(2026, 9, 16), frozen_clock)
    response = client_for(office).post(
        reverse("cases:letter_answer", args=[letter.pk]),
        {"answered_on": "2026-09-16", "answer": "已支付", "version": 0},
    )
    assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DELIVERED
    assert "form-error" in response.content.decode()


def test_escalation_through_the_page_issues_the_opinion_letter(client_for, office, letter, frozen_clock):
    letter = delivered(letter, office, date(2026, 9, 16), frozen_clock)
    frozen_clock.move_to(at(date(2026, 10, 9)))
    client = client_for(office)
    page = client.get(reverse("cases:letter", args=[letter.pk])).content.decode()
    assert 'data-testid="escalate-form"' in page
    response = client.post(
        reverse("cases:letter_escalate", args=[letter.pk]),
        {"problem": letter.problem, "asks": letter.request, "version": letter.version},
    )
    opinion = Letter.objects.get(escalated_from=letter)
    assert response["Location"] == reverse("cases:letter", args=[opinion.pk])


def test_leaders_read_but_see_no_action(client_for, leader, letter):
    page = client_for(leader).get(reverse("cases:letter", args=[letter.pk])).content.decode()
    assert letter.number in page and "delivery-form" not in page
    assert client_for(leader).get(reverse("cases:letter_new")).status_code == 403


def test_the_word_document_holds_the_number_addressee_and_deadline(client_for, office, letter, frozen_clock):
    letter = delivered(letter, office, date(2026, 9, 28), frozen_clock)
    response = client_for(office).get(reverse("cases:letter_docx", args=[letter.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = plain_text(response.content)
    assert "滨海县工提〔2026〕1号" in text
    assert letter.enterprise.name in text
    assert "2026年10月16日" in text and "10个工作日" in text
    assert "2026年9月16日" in text  # the issue date under the issuer
    name = response["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
    assert unquote(name) == f"{letter.addressee}-{letter.get_kind_display()}-滨海县工提〔2026〕1号.docx"
    preview = client_for(office).get(reverse("cases:letter_print", args=[letter.pk])).content.decode()
    assert "滨海县工提〔2026〕1号" in preview and "2026年10月16日" in preview
