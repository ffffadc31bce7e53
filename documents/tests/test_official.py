"""Official documents render to .docx and HTML with the official layout (pure: no database)."""

import datetime
import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from documents.official import (
    BODY_FONT,
    SEAL_PLACEHOLDER,
    TITLE_FONT,
    OfficialDocument,
    cn_date,
    document_number,
    plain_text,
    render_docx,
    render_html,
)

PARAGRAPHS = [
    "根据《滨海县产业工人队伍建设改革责任清单》安排，你单位牵头的下列事项已超过完成时限，尚未申请销号。",
    "请你单位于2026年10月15日前完成整改，并通过平台提交销号申请。",
    "特此通知。",
]
TABLE = [
    ["事项", "要求", "完成时限"],
    ["建立产业工人技能等级认定机制", "出台实施方案并报备", "2026-08-31"],
    ["开展“工会进企业”专项行动", "覆盖规上企业", "2026-09-15"],
]


def urging_notice(**overrides) -> OfficialDocument:
    fields = {
        "title": "催办通知书",
        "number": "滨产改办〔2026〕12号",
        "addressee": "县交通运输局：",
        "paragraphs": list(PARAGRAPHS),
        "issuer": "滨海县“产改”联席会议办公室",
        "issued_on": datetime.date(2026, 9, 30),
        "table": [list(row) for row in TABLE],
        "cc": "县总工会",
    }
    fields.update(overrides)
    return OfficialDocument(**fields)


@pytest.fixture
def docx_bytes() -> bytes:
    return render_docx(urging_notice())


def paragraph_with(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def test_plain_text_has_every_part_of_the_notice(docx_bytes):
    text = plain_text(docx_bytes)

    for expected in ["催办通知书", "滨产改办〔2026〕12号", "县交通运输局：", *PARAGRAPHS, "滨海县“产改”联席会议办公室"]:
        assert expected in text
    for row in TABLE:
        assert "\t".join(row) in text
    assert "2026年9月30日" in text
    assert SEAL_PLACEHOLDER in text
    assert "抄送：县总工会。" in text


def test_parts_come_in_official_order(docx_bytes):
    lines = [line for line in plain_text(docx_bytes).splitlines() if line]

    order = ["催办通知书", "滨产改办〔2026〕12号", "县交通运输局：", PARAGRAPHS[0], "事项\t要求\t完成时限"]
    order += [SEAL_PLACEHOLDER, "滨海县“产改”联席会议办公室", "2026年9月30日", "抄送：县总工会。"]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)


def test_title_is_centred_xiaobiaosong_size_two(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    title = paragraph_with(document, "催办通知书")
    run = title.runs[0]

    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert run.font.size == Pt(22)
    assert run.font.name == TITLE_FONT
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == TITLE_FONT
    assert run._r.rPr.rFonts.get(qn("w:ascii")) == TITLE_FONT


def test_number_is_centred_fangsong_size_three(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    number = paragraph_with(document, "滨产改办〔2026〕12号")

    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.runs[0].font.size == Pt(16)
    assert number.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT


def test_body_has_two_character_indent_and_fixed_28pt_lines(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    body = paragraph_with(document, PARAGRAPHS[0])
    fmt = body.paragraph_format

    assert fmt.first_line_indent == Pt(32)
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing == Pt(28)
    assert body.runs[0].font.size == Pt(16)
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT


def test_addressee_is_flush_left(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    addressee = paragraph_with(document, "县交通运输局：")

    assert addressee.paragraph_format.first_line_indent is None
    assert addressee.alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)


def test_page_is_a4_with_official_margins(docx_bytes):
    section = Document(io.BytesIO(docx_bytes)).sections[0]

    def cm(length):  # .docx stores twips, so 3.7cm comes back as 3.7004cm
        return round(length.cm, 2)

    assert (cm(section.page_width), cm(section.page_height)) == (21.0, 29.7)
    assert cm(section.top_margin) == 3.7
    assert cm(section.bottom_margin) == 3.5
    assert cm(section.left_margin) == 2.8
    assert cm(section.right_margin) == 2.6


def test_issuer_date_and_grey_seal_are_right_aligned(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    seal = paragraph_with(document, SEAL_PLACEHOLDER)
    issuer = paragraph_with(document, "滨海县“产改”联席会议办公室")
    date = paragraph_with(document, "2026年9月30日")

    assert {p.alignment for p in (seal, issuer, date)} == {WD_ALIGN_PARAGRAPH.RIGHT}
    assert seal.runs[0].font.color.rgb is not None
    assert str(seal.runs[0].font.color.rgb) == "808080"


def test_table_has_borders_and_a_repeated_bold_header(docx_bytes):
    table = Document(io.BytesIO(docx_bytes)).tables[0]

    assert table.style.name == "Table Grid"
    assert [cell.text for cell in table.rows[0].cells] == TABLE[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.font.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    widths = [cell.width for cell in table.rows[0].cells]
    assert widths[0] > widths[2]  # the long 事项 column gets more room than 完成时限


def test_fonts_have_fallbacks_in_the_font_table(docx_bytes):
    font_table = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/fontTable.xml").decode()

    assert 'w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in font_table
    assert 'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table


def test_package_has_no_stray_template_thumbnail(docx_bytes):
    assert not any("thumbnail" in name for name in zipfile.ZipFile(io.BytesIO(docx_bytes)).namelist())


def test_footer_carries_a_page_number_field(docx_bytes):
    footer = Document(io.BytesIO(docx_bytes)).sections[0].footer

    assert "PAGE" in footer._element.xml
    assert footer.paragraphs[0].text.startswith("— ")


def test_docx_without_table_number_or_cc_still_renders():
    doc = urging_notice(table=None, number="", cc="", addressee="县交通运输局")
    document = Document(io.BytesIO(render_docx(doc)))
    text = plain_text(render_docx(doc))

    assert document.tables == []
    assert "县交通运输局：" in text  # the colon is added when missing
    assert "抄送" not in text


def test_ragged_table_rows_are_padded():
    doc = urging_notice(table=[["事项", "要求", "完成时限"], ["只有事项"]])
    table = Document(io.BytesIO(render_docx(doc))).tables[0]

    assert [cell.text for cell in table.rows[1].cells] == ["只有事项", "", ""]


def test_text_pasted_from_word_with_control_characters_renders():
    doc = urging_notice(paragraphs=["第一行\x0b第二行\x00\x07"])

    text = plain_text(render_docx(doc))

    assert "第一行\n第二行" in text


def test_blank_title_is_refused():
    with pytest.raises(ValueError, match="标题"):
        render_docx(urging_notice(title="  "))


def test_html_escapes_user_text():
    doc = urging_notice(
        title="<script>alert(1)</script>",
        paragraphs=["<script>alert('x')</script>", "A & B"],
        addressee='"><img src=x onerror=alert(1)>',
        table=[["<b>事项</b>", "要求"], ["<script>", "x"]],
        issuer="<i>办公室</i>",
        cc="<script>",
    )

    html = render_html(doc)

    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; B" in html


def test_html_has_official_structure_and_print_stylesheet():
    html = render_html(urging_notice())

    assert html.startswith('<article class="official-document"')
    for expected in [
        '<h1 class="od-title">催办通知书</h1>',
        '<p class="od-number">滨产改办〔2026〕12号</p>',
        '<p class="od-addressee">县交通运输局：</p>',
        f'<p class="od-body">{PARAGRAPHS[0]}</p>',
        '<th scope="col">完成时限</th>',
        "<td>2026-08-31</td>",
        '<p class="od-seal">（印章）</p>',
        '<p class="od-date">2026年9月30日</p>',
        '<p class="od-cc">抄送：县总工会。</p>',
        "@page{size:A4;margin:37mm 26mm 35mm 28mm}",
        "FangSong, STFangsong, 'Noto Serif CJK SC', serif",
    ]:
        assert expected in html
    # Self-contained: nothing fetched from elsewhere.
    assert "http" not in html
    assert "<link" not in html
    assert "url(" not in html


def test_html_keeps_line_breaks_inside_a_paragraph():
    html = render_html(urging_notice(paragraphs=["一、事项\n二、要求"]))

    assert '<p class="od-body">一、事项<br>二、要求</p>' in html


@pytest.mark.parametrize(
    ("prefix", "year", "seq", "expected"),
    [
        ("滨产改办", 2026, 12, "滨产改办〔2026〕12号"),
        ("滨总工", 2027, 1, "滨总工〔2027〕1号"),
        (" 滨产改办 ", 2026, 105, "滨产改办〔2026〕105号"),
    ],
)
def test_document_number_formats(prefix, year, seq, expected):
    assert document_number(prefix, year, seq) == expected


@pytest.mark.parametrize(("prefix", "year", "seq"), [("", 2026, 1), ("滨产改办", 26, 1), ("滨产改办", 2026, 0)])
def test_document_number_refuses_bad_parts(prefix, year, seq):
    with pytest.raises(ValueError):
        document_number(prefix, year, seq)


def test_cn_date_has_no_zero_padding():
    assert cn_date(datetime.date(2026, 9, 30)) == "2026年9月30日"
    assert cn_date(datetime.date(2026, 1, 5)) == "2026年1月5日"


def test_cn_date_reads_aware_datetimes_in_shanghai():
    late_evening_utc = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=datetime.UTC)  # 01:00 on 1 Oct in Shanghai

    assert cn_date(late_evening_utc) == "2026年10月1日"


def _keeps_with_next(paragraph):
    return bool(paragraph.paragraph_format.keep_with_next)


def test_nothing_forces_a_page_break_and_only_the_table_end_keeps_with_the_signature(docx_bytes):
    """A one-page notice stays on one page: no page break anywhere, nothing between the title block and the
    table tied to it (which would carry the table and the signature to page 2), and the table's last row, the
    blank line and the seal and issuer kept with the date (so the signature never stands alone)."""
    document = Document(io.BytesIO(docx_bytes))
    body = document.element.body
    assert not body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert not body.findall(f".//{qn('w:pageBreakBefore')}")
    for text in ("县交通运输局：", *PARAGRAPHS):
        assert not _keeps_with_next(paragraph_with(document, text)), text
    table = document.tables[0]
    assert all(_keeps_with_next(p) for cell in table.rows[-1].cells for p in cell.paragraphs)
    assert not any(_keeps_with_next(p) for cell in table.rows[1].cells for p in cell.paragraphs)
    paragraphs = document.paragraphs
    seal = next(i for i, p in enumerate(paragraphs) if p.text == SEAL_PLACEHOLDER)
    assert paragraphs[seal - 1].text == "" and _keeps_with_next(paragraphs[seal - 1])
    assert paragraphs[seal - 1]._p.getprevious().tag == qn("w:tbl")  # one blank line after the table, not two
    assert _keeps_with_next(paragraphs[seal]) and _keeps_with_next(paragraphs[seal + 1])


def test_the_print_stylesheet_forces_no_break_and_keeps_the_signature_whole():
    html = render_html(urging_notice())
    assert "break-before:page" not in html and "page-break-before:always" not in html
    assert "break-inside:avoid;break-before:avoid" in html
