import errno
import io
import os
import threading
import zipfile
from datetime import timedelta

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audit.models import AuditEvent
from checklists import services, workflow
from checklists.models import Item, ItemStatus
from evidence import services as library
from evidence.models import Evidence
from qingdan import clock
from qingdan.errors import Conflict, Refused
from qingdan.spreadsheets import write_workbook
from surveys import services as survey_services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
def test_findings_become_problem_lists_one_per_unit_linked_back(client_for, office, dept_a, county_a, questionnaire):
    from orgs.tests.factories import OrgUnitFactory

    town = OrgUnitFactory(code="A-T7", name="五汛镇工会", parent=county_a)
    notes = [("未配备专职工会干部", dept_a), ("职工之家未开放", town), ("经费未足额拨缴", dept_a)]
    findings = [
        survey_services.add_finding(questionnaire=questionnaire, note=n, suggested_unit=u, actor=office)
        for n, u in notes
    ]
    client = client_for(office)
    deadline = (clock.today() + timedelta(days=60)).isoformat()
    response = client.post(
        f"/lists/problems/{questionnaire.pk}/",
        {"findings": [f.pk for f in findings], "title": "基层工会建设问题清单", "deadline": deadline},
    )
    assert response.status_code == 302
    items = Item.objects.filter(finding__in=findings).select_related("checklist__responsible_unit")
    assert sorted((i.checklist.responsible_unit.name, i.content) for i in items) == sorted(
        (u.name, n) for n, u in notes
    )
    assert items.values("checklist").distinct().count() == 2
    page = client.get(f"/surveys/q/{questionnaire.pk}/findings/").content.decode()
    assert page.count("已下达") >= 3  # each finding shows its item's status
    again = client.post(
        f"/lists/problems/{questionnaire.pk}/", {"findings": [findings[0].pk], "title": "重复", "deadline": deadline}
    ).content.decode()
    assert "选择一个有效的选项" in again and Item.objects.filter(finding__isnull=False).count() == 3


@pytest.mark.django_db
def test_a_finding_without_a_unit_cannot_be_issued(office, questionnaire):
    finding = survey_services.add_finding(questionnaire=questionnaire, note="问题", actor=office)
    with pytest.raises(Refused, match="建议责任单位"):
        services.issue_problem_lists(
            actor=office, findings=[finding], title="t", deadline=clock.today() + timedelta(days=5)
        )


@pytest.mark.django_db
def test_evidence_is_checked_and_kept_once(reporter, item, deep_item):
    first = library.keep(uploaded=SimpleUploadedFile("验收报告.pdf", PDF), actor=reporter)
    again = library.keep(uploaded=SimpleUploadedFile("副本.pdf", PDF), actor=reporter)
    assert first.pk == again.pk and len(first.sha256) == 64 and Evidence.objects.count() == 1
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成", evidence=[first])
    services.attach_evidence(item=deep_item, evidence=first, actor=reporter)  # reused without uploading again
    assert set(first.items.values_list("pk", flat=True)) == {item.pk, deep_item.pk}


def zip_of(part):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(part, "<x/>")
    return data.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", b"MZ\x90\x00 this is an exe", "内容与其扩展名不符"),
        ("程序.exe", b"MZ\x90\x00", "类型不允许上传"),
        ("照片.png", b"\xff\xd8\xff\xe0 a jpeg named png", "内容与其扩展名不符"),
        ("名册.xlsx", b"PK\x03\x04 a broken archive", "内容与其扩展名不符"),
        ("材料.docx", zip_of("readme.txt"), "内容与其扩展名不符"),  # a renamed ZIP
        ("报告.docx", zip_of("xl/workbook.xml"), "内容与其扩展名不符"),  # a workbook named .docx
        ("名册.xlsx", zip_of("word/document.xml"), "内容与其扩展名不符"),
    ],
)
def test_bad_evidence_is_refused(reporter, name, content, message):
    with pytest.raises(Refused, match=message):
        library.keep(uploaded=SimpleUploadedFile(name, content), actor=reporter)
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_word_and_excel_files_are_accepted(reporter):
    report = io.BytesIO()
    docx.Document().save(report)
    workbook = write_workbook("名册", ["姓名"], [["张三"]])
    for name, content in (("报告.docx", report.getvalue()), ("名册.xlsx", workbook)):
        evidence = library.keep(uploaded=SimpleUploadedFile(name, content), actor=reporter)
        assert evidence.name == name and evidence.size == len(content)


@pytest.mark.django_db
def test_an_oversize_upload_is_refused(reporter, settings):
    settings.QINGDAN_MAX_EVIDENCE_BYTES = 1024
    with pytest.raises(Refused, match="超过了"):
        library.keep(uploaded=SimpleUploadedFile("大.pdf", PDF + b"0" * 2048), actor=reporter)


class FullDisk(io.FileIO):
    """A file on a disk with room for 100 more bytes: the write after those fails as a full disk does."""

    def write(self, data):
        super().write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.django_db
def test_a_full_disk_refuses_the_upload_in_words_and_leaves_nothing_behind(
    reporter, item, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # FileSystemStorage creates the file, then writes its chunks through os.fdopen(...).write.
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(fd, "wb"))
    with pytest.raises(Refused) as refused:
        library.keep_with(
            [SimpleUploadedFile("验收报告.pdf", PDF + b"0" * 1000)],
            actor=reporter,
            then=lambda pieces: workflow.apply_for_closeout(
                item=item, actor=reporter, report="已完成", evidence=pieces
            ),
        )
    assert refused.value.message == "服务器存储空间已满，这个文件没有保存，也没有任何改动。请告知系统管理员。"
    item.refresh_from_db()
    assert not Evidence.objects.exists() and item.status != ItemStatus.APPLIED
    assert not AuditEvent.objects.filter(action="evidence.added").exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    monkeypatch.undo()  # room again
    kept = library.keep(uploaded=SimpleUploadedFile("验收报告.pdf", PDF + b"0" * 1000), actor=reporter)
    assert [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()] == [PDF + b"0" * 1000]
    assert kept.file.name.startswith("evidence/") and kept.name == "验收报告.pdf"


@pytest.mark.django_db
def test_a_file_kept_by_another_request_first_is_the_one_kept(reporter, monkeypatch, settings, tmp_path):
    """Two requests keeping the same file at once: the one whose row loses the race deletes its own copy."""
    settings.MEDIA_ROOT = tmp_path
    first = library.keep(uploaded=SimpleUploadedFile("a.pdf", PDF), actor=reporter)
    monkeypatch.setattr(library.Evidence.objects, "filter", lambda **kw: Evidence.objects.none())  # not seen yet
    again = library.keep(uploaded=SimpleUploadedFile("b.pdf", PDF), actor=reporter)
    monkeypatch.undo()
    assert again == first and Evidence.objects.count() == 1
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [first.file.name]


@pytest.mark.django_db
def test_a_co_unit_cannot_attach_another_units_evidence(reporter, co_reporter, item):
    evidence = library.keep(uploaded=SimpleUploadedFile("a.pdf", PDF), actor=reporter)
    with pytest.raises(Refused, match="本单位"):
        services.attach_evidence(item=item, evidence=evidence, actor=co_reporter)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_two_reviewers_verifying_at_once_exactly_one_wins(item, reporter, reviewer):
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    second = UserFactory(username="reviewer2", org_unit=reviewer.org_unit, roles=[Role.REVIEWER])
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    version = Item.objects.get(pk=item.pk).version
    barrier, results = threading.Barrier(2), []

    def verify(actor, passed):
        barrier.wait()
        try:
            workflow.verify(
                item=item,
                actor=actor,
                passed=passed,
                opinion="意见",
                version=version,
                findings="f",
                fixes="x",
                new_deadline=clock.today() + timedelta(days=9),
            )
            results.append("ok")
        except (Conflict, Refused) as lost:
            results.append(type(lost).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=verify, args=(reviewer, True)),
        threading.Thread(target=verify, args=(second, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Conflict", "ok"]
    item.refresh_from_db()
    assert item.status in (ItemStatus.CLOSED, ItemStatus.RECTIFYING) and item.version == version + 1


def _stored(settings, stem):
    """The files named ``stem…`` kept on disk in the evidence library (other test runs may share the folder)."""
    from pathlib import Path

    return {p.name for p in (Path(settings.MEDIA_ROOT) / "evidence").rglob(f"{stem}*") if p.is_file()}


def test_a_refused_evaluation_keeps_neither_its_attachment_nor_its_row(
    client_for, deep_item, reporter, reviewer, evaluator, settings
):
    """The unit's reporter, who sees the item, posts a deep review with a file: the page says the action is not
    allowed, and the library has no new row and no new file."""
    workflow.apply_for_closeout(item=deep_item, actor=reporter, report="已完成")
    workflow.verify(item=deep_item, actor=reviewer, passed=True, opinion="转深度验收", evaluator=evaluator)
    before = _stored(settings, "座谈记录")
    response = client_for(reporter).post(
        f"/lists/items/{deep_item.pk}/evaluate/",
        {
            "conclusion": "pass",
            "opinion": "认可",
            "version": Item.objects.get(pk=deep_item.pk).version,
            "attachments": [SimpleUploadedFile("座谈记录.pdf", PDF, content_type="application/pdf")],
        },
        follow=True,
    )
    assert "不允许" in response.content.decode()
    assert not Evidence.objects.exists() and _stored(settings, "座谈记录") == before
    assert Item.objects.get(pk=deep_item.pk).status == ItemStatus.DEEP_REVIEW
