"""Official documents (公文) as .docx for Word/WPS and as a printable HTML fragment.

The layout follows GB/T 9704 in spirit, kept simple: A4, 小标宋 title at 二号, 文号 under it,
addressee, 仿宋 三号 body with a two-character indent and fixed 28pt lines, an optional
bordered table, a seal placeholder, issuer and date bottom right, an optional 抄送 line.
Both renderers take the same :class:`OfficialDocument` so a notice looks the same on screen,
on paper and in the file a clerk edits.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from qingdan.text import printable

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Font names as installed by Chinese Windows/WPS. When a machine lacks one, Word and WPS
# fall back to the w:altName we register in the font table (see _register_fonts).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
_FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", PAGE_NUMBER_FONT: "SimSun"}

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
SMALL_SIZE = Pt(14)  # 四号: table, 抄送, page number
BODY_LINE = Pt(28)
TITLE_LINE = Pt(36)
TABLE_LINE = Pt(22)
HALF_LINE = Pt(14)
SEAL_GREY = RGBColor(0x80, 0x80, 0x80)
SEAL_PLACEHOLDER = "（印章）"

# A4 and the margins of GB/T 9704 (版心 156mm x 225mm).
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)


@dataclass
class OfficialDocument:
    title: str  # e.g. "催办通知书" / "整改意见书" / "销号确认书"
    number: str  # 文号, e.g. "滨产改办〔2026〕12号"
    addressee: str  # 主送单位, e.g. "县交通运输局："
    paragraphs: list[str]  # body paragraphs (plain text)
    issuer: str  # e.g. "滨海县“产改”联席会议办公室"
    issued_on: datetime.date
    table: list[list[str]] | None = None  # optional simple table; first row is the header
    cc: str = ""  # 抄送 (optional)


# ---------------------------------------------------------------------------- small helpers


def cn_date(day: datetime.date) -> str:
    """``2026年9月30日``: the date form of official documents (no zero padding).

    An aware datetime is read in Asia/Shanghai, so a notice issued late in the evening
    does not carry the next (UTC) day.
    """
    if isinstance(day, datetime.datetime):
        day = day.astimezone(SHANGHAI).date() if day.tzinfo is not None else day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, seq: int) -> str:
    """``("滨产改办", 2026, 12)`` -> ``滨产改办〔2026〕12号``.

    The year goes in 六角括号 〔〕 and the sequence has no leading zeros, as GB/T 9704 asks.
    """
    prefix = prefix.strip()
    if not prefix:
        raise ValueError("文号缺少机关代字")
    if not 1000 <= int(year) <= 9999:
        raise ValueError(f"文号年份无效：{year}")
    if int(seq) < 1:
        raise ValueError(f"文号序号必须是正整数：{seq}")
    return f"{prefix}〔{int(year)}〕{int(seq)}号"


def _clean(text: object) -> str:
    return "" if text is None else printable(str(text))


def _addressee_line(addressee: str) -> str:
    addressee = _clean(addressee).strip()
    if addressee and addressee[-1] not in "：:":
        addressee += "："
    return addressee


def _cc_line(cc: str) -> str:
    cc = _clean(cc).strip()
    if cc.startswith("抄送"):
        cc = cc[2:].lstrip("：: ")
    if cc and cc[-1] not in "。.":
        cc += "。"
    return f"抄送：{cc}" if cc else ""


def _table_rows(table: list[list[str]] | None) -> list[list[str]]:
    """Rows as clean strings, short rows padded so the grid stays rectangular."""
    rows = [[_clean(cell) for cell in row] for row in (table or []) if row is not None]
    rows = [row for row in rows if row]
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _check(doc: OfficialDocument) -> None:
    if not _clean(doc.title).strip():
        raise ValueError("公文缺少标题")
    if not isinstance(doc.issued_on, datetime.date):
        raise TypeError("issued_on 必须是日期")


# ---------------------------------------------------------------------------------- .docx


def _set_fonts(rpr_owner, name: str) -> None:
    """Point every script slot (Latin, CJK, complex) at ``name``.

    python-docx's ``font.name`` only sets w:ascii/w:hAnsi; Chinese text is drawn with
    w:eastAsia, and any *Theme attribute would override an explicit name, so drop those.
    """
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_run(run, *, font: str, size: Pt, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = font
    _set_fonts(run._r, font)
    run.font.size = size
    run.font.bold = True if bold else None  # unset, not w:b=0, so a clerk's style change applies
    if color is not None:
        run.font.color.rgb = color


def _spacing(paragraph, *, line: Pt) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)


def _add_paragraph(
    container,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    line: Pt = BODY_LINE,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    indent_chars: int = 0,
    bold: bool = False,
    color: RGBColor | None = None,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    _spacing(paragraph, line=line)
    if indent_chars:
        # firstLineChars keeps the indent at two characters even if the clerk changes the
        # font size in WPS; firstLine is the fallback for readers that ignore *Chars.
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * indent_chars)
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    if text:
        _style_run(paragraph.add_run(text), font=font, size=size, bold=bold, color=color)
    else:
        # An empty line still takes the body size, so blank lines keep the 28pt rhythm.
        paragraph_rpr = paragraph._p.get_or_add_pPr()
        mark = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size.pt * 2)))
        mark.append(sz)
        paragraph_rpr.append(mark)
    return paragraph


def _set_defaults(document) -> None:
    """Body font, size, language and spacing for everything, including table cells."""
    styles_el = document.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    if rfonts is not None:
        rpr_default.remove(rfonts)
    rpr_default.insert(
        0,
        parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" '
            f'w:eastAsia="{BODY_FONT}" w:cs="{BODY_FONT}" w:hint="eastAsia"/>'
        ),
    )
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(int(BODY_LINE.pt * 20)))
    spacing.set(qn("w:lineRule"), "exact")

    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    _set_fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE


def _register_fonts(document) -> None:
    """List our fonts in word/fontTable.xml with a w:altName Word/WPS use when missing."""
    for rel in document.part.rels.values():
        if rel.reltype != RT.FONT_TABLE:
            continue
        part = rel.target_part
        fonts = parse_xml(part.blob)
        for name, alt in _FONT_FALLBACKS.items():
            fonts.append(
                parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{name}">'
                    f'<w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                    f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
                )
            )
        # The font table has no python-docx part class, so its bytes are replaced directly.
        part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
        return


def _drop_template_thumbnail(document) -> None:
    """The default template ships a preview image of another document; Explorer and WPS show it."""
    rels = document.part.package.rels
    for r_id in [r_id for r_id, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[r_id]


def _setup_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    # Footer so the page number sits about 7mm under the text block, as GB/T 9704 places it.
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.2)
    _add_page_number(section)


def _add_page_number(section) -> None:
    """Footer ``— 1 —`` in 四号 宋体, centred: the page-number form of official documents."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph, line=Pt(20))

    def run(text: str = ""):
        r = paragraph.add_run(text)
        _style_run(r, font=PAGE_NUMBER_FONT, size=SMALL_SIZE)
        return r

    run("— ")
    for kind in ("begin", None, "separate", "1", "end"):
        r = run()
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            r._r.append(instr)
        elif kind == "1":
            r.text = "1"
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
    run(" —")


def _column_weights(rows: list[list[str]]) -> list[int]:
    """Column shares by the longest line in each column, within 4..20 characters.

    Equal columns would squeeze a long 事项 next to a short 完成时限.
    """
    return [
        min(max(max(len(line) for cell in column for line in cell.split("\n")), 4), 20)
        for column in zip(*rows, strict=True)
    ]


def _column_widths(rows: list[list[str]], *, total: int) -> list[int]:
    weights = _column_weights(rows)
    widths = [int(total * weight / sum(weights)) for weight in weights]
    widths[-1] = int(total) - sum(widths[:-1])
    return widths


def _add_table(document, rows: list[list[str]]):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "pct")
    tbl_w.set(qn("w:w"), "5000")  # 100% of the text width
    widths = _column_widths(rows, total=PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for index, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeat the header on every page
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = width  # Word reads tcW, LibreOffice/WPS read gridCol: set both
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if index == 0 else WD_ALIGN_PARAGRAPH.LEFT
            _spacing(paragraph, line=TABLE_LINE)
            if value:
                _style_run(paragraph.add_run(value), font=BODY_FONT, size=SMALL_SIZE, bold=index == 0)
    return table


# Children of w:pPr that must follow w:pBdr (CT_PPr is an ordered sequence).
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _add_cc(document, text: str) -> None:
    """抄送 in 四号 between two full-width rules, as the 版记 of GB/T 9704."""
    paragraph = _add_paragraph(document, text, size=SMALL_SIZE)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Pt(SMALL_SIZE.pt)
    fmt.right_indent = Pt(SMALL_SIZE.pt)
    ppr = paragraph._p.get_or_add_pPr()
    borders = parse_xml(
        f"<w:pBdr {nsdecls('w')}>"
        '<w:top w:val="single" w:sz="4" w:space="1" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="4" w:space="1" w:color="000000"/>'
        "</w:pBdr>"
    )
    # Out-of-order children make Word report the file as corrupt.
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as .docx bytes, laid out for Word and WPS."""
    _check(doc)
    document = Document()
    _set_defaults(document)
    _register_fonts(document)
    _drop_template_thumbnail(document)
    _setup_page(document)

    # The default template's body is empty; everything is appended in reading order.
    title = _add_paragraph(
        document,
        _clean(doc.title).strip(),
        font=TITLE_FONT,
        size=TITLE_SIZE,
        line=TITLE_LINE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    title.paragraph_format.keep_with_next = True
    number = _clean(doc.number).strip()
    if number:
        _add_paragraph(document, number, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.keep_with_next = True
    _add_paragraph(document, "")  # GB/T 9704: one blank line under the title block

    addressee = _addressee_line(doc.addressee)
    if addressee:
        _add_paragraph(document, addressee)
    for text in doc.paragraphs:
        text = _clean(text).strip()
        if text:
            _add_paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)

    # A one-page notice (整改意见书, 催办通知书) must keep its table, seal and date on its first page: the gaps
    # around the table are half a line, one blank line stands before the signature, and nothing forces a
    # break. The table's last row, the blank line and the signature keep together, so the seal and date never
    # stand alone on a page of their own; nothing before the table is tied to it, so it never drags the table
    # and the signature to the next page and leaves the first half empty.
    rows = _table_rows(doc.table)
    if rows:
        _add_paragraph(document, "", line=HALF_LINE)
        table = _add_table(document, rows)
        for cell in table.rows[-1].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True

    _add_paragraph(document, "").paragraph_format.keep_with_next = True
    signature_indent = Pt(BODY_SIZE.pt * 2)  # 右空二字
    seal = _add_paragraph(document, SEAL_PLACEHOLDER, align=WD_ALIGN_PARAGRAPH.RIGHT, color=SEAL_GREY)
    issuer = _add_paragraph(document, _clean(doc.issuer).strip(), align=WD_ALIGN_PARAGRAPH.RIGHT)
    date = _add_paragraph(document, cn_date(doc.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT)
    for paragraph in (seal, issuer, date):
        paragraph.paragraph_format.right_indent = signature_indent
    for paragraph in (seal, issuer):
        paragraph.paragraph_format.keep_with_next = True

    cc = _cc_line(doc.cc)
    if cc:
        _add_paragraph(document, "")
        _add_cc(document, cc)

    props = document.core_properties
    props.title = _clean(doc.title).strip()
    props.subject = number
    props.author = props.last_modified_by = _clean(doc.issuer).strip()
    props.comments = ""
    props.language = "zh-CN"
    props.revision = 1
    midnight = datetime.datetime.combine(doc.issued_on, datetime.time(), tzinfo=SHANGHAI)
    props.created = props.modified = midnight.astimezone(datetime.UTC)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plain_text(docx_bytes: bytes) -> str:
    """All paragraph and table text of a .docx in reading order, one line per paragraph/row.

    Table cells of a row are separated by a tab; merged cells are counted once.
    """
    document = Document(io.BytesIO(docx_bytes))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                seen, cells = set(), []
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- HTML

_BODY_FONT_STACK = "'仿宋_GB2312', FangSong_GB2312, FangSong, STFangsong, 'Noto Serif CJK SC', serif"
_TITLE_FONT_STACK = "'方正小标宋简体', 'FZXiaoBiaoSong-B05S', STSong, SimSun, 'Noto Serif CJK SC', serif"

# Scoped to .official-document so the fragment can sit inside any page of the app.
_STYLE = (
    "<style>"
    "@page{size:A4;margin:37mm 26mm 35mm 28mm}"
    ".official-document{box-sizing:border-box;width:210mm;max-width:100%;min-height:297mm;"
    "margin:0 auto;padding:37mm 26mm 35mm 28mm;background:#fff;color:#000;"
    f"font-family:{_BODY_FONT_STACK};font-size:16pt;line-height:28pt;"
    "box-shadow:0 0 .3rem rgba(0,0,0,.25)}"
    ".official-document p{margin:0}"
    ".official-document .od-title{margin:0;font-family:" + _TITLE_FONT_STACK + ";font-size:22pt;"
    "line-height:36pt;font-weight:normal;text-align:center}"
    ".official-document .od-number{text-align:center}"
    ".official-document .od-addressee{margin-top:28pt}"
    ".official-document .od-body{text-indent:2em;text-align:justify}"
    ".official-document .od-table{width:100%;border-collapse:collapse;margin:14pt 0 0;font-size:14pt;"
    "line-height:22pt}"
    ".official-document .od-table th,.official-document .od-table td{border:1px solid #000;"
    # Word's Table Grid cell margins (0 top/bottom, 0.19cm sides), so print matches the .docx.
    "padding:0 5.4pt;vertical-align:middle;text-align:left}"
    ".official-document .od-table th{text-align:center;font-weight:bold}"
    ".official-document .od-signature{margin-top:28pt;text-align:right;padding-right:2em;"
    "break-inside:avoid;break-before:avoid}"
    ".official-document .od-seal{color:#595959}"
    ".official-document .od-cc{margin-top:28pt;padding:0 1em;font-size:14pt;border-top:1px solid #000;"
    "border-bottom:1px solid #000}"
    "@media screen and (max-width:820px){.official-document{width:auto;min-height:0;padding:1.5rem}}"
    # Print: the page's own margins (@page) and nothing around the document, no forced break anywhere; a row
    # and the signature are not split, and the signature keeps to the table's last row.
    "@media print{body,main{margin:0!important;padding:0!important;background:#fff!important}"
    ".official-document{width:auto;max-width:none;min-height:0;margin:0;padding:0;"
    "box-shadow:none}.official-document .od-table thead{display:table-header-group}"
    ".official-document .od-table tr{break-inside:avoid}"
    ".official-document .od-table,.official-document .od-body{break-before:auto;break-after:auto}}"
    "</style>"
)


def _html_table(rows: list[list[str]]) -> SafeString:
    if not rows:
        return SafeString("")
    header = format_html_join("", '<th scope="col">{}</th>', ((linebreaksbr(cell),) for cell in rows[0]))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((linebreaksbr(cell),) for cell in row)),) for row in rows[1:]),
    )
    weights = _column_weights(rows)
    cols = format_html_join(
        "", '<col style="width:{}%">', ((f"{100 * weight / sum(weights):.1f}",) for weight in weights)
    )
    return format_html(
        '<table class="od-table"><colgroup>{}</colgroup><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        cols,
        header,
        body,
    )


def render_html(doc: OfficialDocument) -> str:
    """A self-contained, printable HTML fragment with the same layout as the .docx.

    All user text is escaped; the only markup is ours. The inline print stylesheet sets A4
    and the official margins, so printing a page that holds just this fragment gives paper
    matching the .docx.
    """
    _check(doc)
    number = _clean(doc.number).strip()
    addressee = _addressee_line(doc.addressee)
    cc = _cc_line(doc.cc)
    paragraphs = [text for text in (_clean(p).strip() for p in doc.paragraphs) if text]
    return format_html(
        '<article class="official-document" lang="zh-CN">{style}'
        '<h1 class="od-title">{title}</h1>{number}{addressee}{body}{table}'
        '<div class="od-signature"><p class="od-seal">{seal}</p>'
        '<p class="od-issuer">{issuer}</p><p class="od-date">{date}</p></div>{cc}</article>',
        style=SafeString(_STYLE),
        title=linebreaksbr(_clean(doc.title).strip()),
        number=format_html('<p class="od-number">{}</p>', number) if number else "",
        addressee=format_html('<p class="od-addressee">{}</p>', addressee) if addressee else "",
        body=format_html_join("", '<p class="od-body">{}</p>', ((linebreaksbr(text),) for text in paragraphs)),
        table=_html_table(_table_rows(doc.table)),
        seal=SEAL_PLACEHOLDER,
        issuer=_clean(doc.issuer).strip(),
        date=cn_date(doc.issued_on),
        cc=format_html('<p class="od-cc">{}</p>', cc) if cc else "",
    )
