"""GB/T 9704-2012《党政机关公文格式》 in python-docx: the figures and the pieces every
document of this app is built from (page, fonts, headings, page numbers, tables, rules).

The figures, from the standard:
- A4 (210 mm × 297 mm); the text block 156 mm × 225 mm; top margin 37 mm, left (binding)
  margin 28 mm, so bottom 35 mm and right 26 mm.
- Body 3号仿宋 (16 pt), 22 lines of 28 characters per page: a line pitch of 225 mm / 22 and
  a character pitch of 156 mm / 28, set as the section's document grid and as an exact
  line spacing (so that Word, WPS and LibreOffice all lay out 22 lines).
- Title 2号小标宋 (22 pt), centred; headings 黑体 (一、), 楷体 (（一）), 仿宋 (1. and （1）).
- Page numbers 4号半角宋体 "— 1 —": odd pages at the right, even pages at the left, one
  character in.
- Fonts by the names government PCs have, with the East Asian font on every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.styles.style import CharacterStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.parfmt import ParagraphFormat
from docx.text.run import Run

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NUMBER_PT = 14  # 四号
RECORD_PT = 14  # 版记: 四号
TABLE_PT = 12  # 小四, for tables (the standard leaves their size to the drafter)
FOOTER_DISTANCE_MM = 25.3  # see page_setup
# 版头 (7.2.4): the masthead's line is 72 pt exact; the ink of 48-point 小标宋 starts 8.3 mm below
# the line's top, so 75.6 pt before it puts the ink's top edge 35 mm below the text block's top.
MASTHEAD_PT, MASTHEAD_LINE_PT, MASTHEAD_BEFORE_PT = 48, 72, 75.6
RED_RULE_SPACE_PT = 4  # the red rule's distance below the 编发 line's text
TITLE_CHARS_PER_LINE = 20  # 2号 characters in the 156 mm text block
# 7.4.1: the 版记's first and last rules 0.35 mm (1 pt, in eighths of a point), those between 0.25 mm.
RECORD_RULE_EIGHTHS, RECORD_INNER_RULE_EIGHTHS = 8, 6

_TWIPS_PER_MM = 1440 / 25.4
# 28.95 pt: 22 lines fill the 225 mm block (28.99 pt) without the 22nd spilling over on rounding.
LINE_PITCH_TWIPS = 579
# 28 characters in 156 mm: a pitch of 15.79 pt, so 16-point characters are set 0.25 pt closer
# (character spacing in twentieths of a point). Set as spacing on the text rather than as a
# character grid: LibreOffice lays a character grid out as square cells of the line pitch
# (15 characters a line), while Word, WPS and LibreOffice all honour character spacing.
CHAR_PITCH_PT = TEXT_WIDTH_MM * 72 / 25.4 / CHARS_PER_LINE
CHAR_SPACING_TWENTIETHS = -5

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = "FF0000"


def mm_twips(mm: float) -> int:
    return round(mm * _TWIPS_PER_MM)


# The schema's order of the children of w:rPr and w:pPr (Word refuses a file that breaks it).
_RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def child_set(parent: BaseOxmlElement, name: str, **attributes: str) -> BaseOxmlElement:
    """The child w:<name> of a w:rPr or w:pPr (created in the schema's place), with these attributes."""
    order = _RPR_ORDER if parent.tag == qn("w:rPr") else _PPR_ORDER
    child = parent.find(qn(f"w:{name}"))
    if child is None:
        child = OxmlElement(f"w:{name}")
        later = set(order[order.index(name) + 1 :])
        anchor = next((c for c in parent if c.tag.split("}")[-1] in later), None)
        if anchor is not None:
            anchor.addprevious(child)
        else:
            parent.append(child)
    for key, value in attributes.items():
        child.set(qn(f"w:{key}"), value)
    return child


def snap_off(paragraph_format_element: BaseOxmlElement) -> None:
    """Keep a paragraph off the line grid (tables, footers: their own line spacing)."""
    child_set(paragraph_format_element, "snapToGrid", val="0")


def fonts_set(rpr: CT_RPr, name: str) -> None:
    """Declare `name` for every script on a run or style (w:rFonts ascii, hAnsi, eastAsia, cs):
    Word and WPS pick the East Asian font from w:eastAsia, and a run without it falls back to
    the theme's font."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    fonts.set(qn("w:hint"), "eastAsia")


def run_add(
    paragraph: Paragraph, text: str, *, font: str, size: float, bold: bool = False, color: str | None = None
) -> Run:
    """A run with its fonts, size and colour set on the run itself."""
    run = paragraph.add_run(text)
    fonts_set(run._r.get_or_add_rPr(), font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def spacing_exact(paragraph_format: ParagraphFormat, pt: float) -> None:
    """Exact line spacing, no space before or after."""
    from docx.enum.text import WD_LINE_SPACING

    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = Pt(pt)
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _style_fonts(style: CharacterStyle, name: str, size: float, *, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts_set(style.element.get_or_add_rPr(), name)
    # A theme font (python-docx's Title and Heading styles carry majorHAnsi/majorEastAsia) wins
    # over the named font in Word and WPS: the style keeps only the GB font.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in _THEME_FONTS:
        fonts.attrib.pop(qn(theme), None)
    # Chinese text: the East Asian language, so WPS and Word choose Chinese punctuation rules.
    child_set(style.element.get_or_add_rPr(), "lang", eastAsia="zh-CN")


# The GB fonts as word/fontTable.xml declares them: (name, altName, panose, family, pitch). The
# charset 86 is GB2312; Word and WPS substitute by altName, charset and panose when a PC lacks
# the font itself (仿宋_GB2312 → 仿宋 on a PC with Windows' FangSong only).
GB_FONT_TABLE = [
    (FANGSONG, "仿宋", "02010609030101010101", "modern", "fixed"),
    (KAITI, "楷体", "02010609030101010101", "modern", "fixed"),
    (XIAOBIAOSONG, "宋体", "02000000000000000000", "auto", "variable"),
    (HEITI, "SimHei", "02010609060101010101", "modern", "fixed"),
    (SONGTI, "SimSun", "02010600030101010101", "auto", "variable"),
]


def font_table_declare(document: Document) -> None:
    """Declare the GB fonts in word/fontTable.xml (altName, charset, panose, family, pitch)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    declared = {font.get(qn("w:name")): font for font in root.findall(qn("w:font"))}
    for name, alt, panose, family, pitch in GB_FONT_TABLE:
        old = declared.get(name)
        if old is not None:
            root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("altName", alt),
            ("panose1", panose),
            ("charset", "86"),
            ("family", family),
            ("pitch", pitch),
        ):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def styles_setup(document: Document) -> None:
    """Normal = body text; Title; Heading 1–3 as the standard's heading levels (real heading
    styles, so the navigation pane lists them); Table Text; Record (版记)."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    font_table_declare(document)
    # The document defaults too: anything without a style of its own still reads 仿宋.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            fonts = rpr_default.find(qn("w:rPr")).get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attribute), FANGSONG)
            for theme in _THEME_FONTS:
                fonts.attrib.pop(qn(theme), None)
    normal = styles["Normal"]
    _style_fonts(normal, FANGSONG, BODY_PT)
    child_set(normal.element.get_or_add_rPr(), "spacing", val=str(CHAR_SPACING_TWENTIETHS))
    spacing_exact(normal.paragraph_format, LINE_PITCH_TWIPS / 20)
    normal.paragraph_format.widow_control = False
    # 5.2.2.3: every line fills the text block. Justified (jc both), and no hanging punctuation
    # (w:overflowPunct 0): a full stop at a line's end is set inside the block, never in the margin.
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    child_set(normal.element.get_or_add_pPr(), "overflowPunct", val="0")
    for name, font, size, level in (
        ("Title", XIAOBIAOSONG, TITLE_PT, None),
        ("Heading 1", HEITI, BODY_PT, 0),
        ("Heading 2", KAITI, BODY_PT, 1),
        ("Heading 3", FANGSONG, BODY_PT, 2),
    ):
        style = styles[name]
        _style_fonts(style, font, size)
        style.paragraph_format.keep_with_next = level is not None
        spacing_exact(style.paragraph_format, LINE_PITCH_TWIPS / 20)
        ppr = style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):  # python-docx's Title has a blue rule
            ppr.remove(border)
        if level is not None:
            # Headings sit in the body's flow: indented two characters, like paragraphs.
            style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # A 22-point title line would take two grid lines where the grid is enforced (LibreOffice).
    snap_off(styles["Title"].element.get_or_add_pPr())
    if "Table Text" not in [s.name for s in styles]:
        table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        _style_fonts(table_text, FANGSONG, TABLE_PT)
        spacing_exact(table_text.paragraph_format, TABLE_PT + 4)
        table_text.paragraph_format.first_line_indent = Pt(0)
        snap_off(table_text.element.get_or_add_pPr())
        # Tables keep the normal spacing of their smaller text.
        child_set(table_text.element.get_or_add_rPr(), "spacing", val="0")
    if "Record" not in [s.name for s in styles]:
        record = styles.add_style("Record", WD_STYLE_TYPE.PARAGRAPH)
        record.base_style = normal
        _style_fonts(record, FANGSONG, RECORD_PT)
        spacing_exact(record.paragraph_format, LINE_PITCH_TWIPS / 20)
        record.paragraph_format.left_indent = Pt(RECORD_PT)
        record.paragraph_format.right_indent = Pt(RECORD_PT)
    for name in ("Header", "Footer"):
        _style_fonts(styles[name], SONGTI, PAGE_NUMBER_PT)
    # No style keeps a theme font (python-docx's template has them on its other styles): a theme
    # font overrides the named one in Word and WPS.
    for fonts in styles.element.iter(qn("w:rFonts")):
        for theme in _THEME_FONTS:
            fonts.attrib.pop(qn(theme), None)


def page_setup(section: Section) -> None:
    """A4, the standard's margins, and a line grid of 22 lines."""
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    # 7.5: the page number's 一字线 sits 7 mm below the text block (262 mm from the page's top,
    # 269 mm). The footer's one line is 18 pt (6.35 mm) and the dash is drawn 3.6 mm below the
    # line's top edge, so the line ends 297 − 269 − (6.35 − 3.6) ≈ 25.3 mm above the page's
    # bottom edge (measured in LibreOffice's PDF: the dash 7.0 mm below the block).
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = Mm(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _field(run: Run, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def page_numbers(document: Document, section: Section) -> None:
    """ "— 1 —" in 4号宋体: odd pages right, even pages left, one character in (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        spacing_exact(fmt, PAGE_NUMBER_PT + 4)
        snap_off(paragraph._p.get_or_add_pPr())
        one_character = Pt(PAGE_NUMBER_PT)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = one_character
        else:
            fmt.left_indent = one_character
        # Tab stops in Word's footer style would move the text; the paragraph has none.
        run_add(paragraph, "— ", font=SONGTI, size=PAGE_NUMBER_PT)
        _field(run_add(paragraph, "", font=SONGTI, size=PAGE_NUMBER_PT), "PAGE")
        run_add(paragraph, " —", font=SONGTI, size=PAGE_NUMBER_PT)


def border_set(paragraph: Paragraph, side: str, *, eighths: int, color: str = "000000", space: int = 1) -> None:
    """A rule above or below a paragraph (the masthead's red line, the 版记 lines)."""
    borders = child_set(paragraph._p.get_or_add_pPr(), "pBdr")
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def right_tab(paragraph: Paragraph, *, at_mm: float = TEXT_WIDTH_MM) -> None:
    """A right-aligned tab stop (text on the left, date on the right of one line)."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(mm_twips(at_mm)), WD_TAB_ALIGNMENT.RIGHT)


def row_flags(row: _Row, *, header: bool) -> None:
    """A header row repeats on every page; a body row never splits across two pages."""
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader" if header else "w:cantSplit")
    trpr.append(flag)


def _look_last(tblpr: BaseOxmlElement) -> None:
    """w:tblLook is the last child of w:tblPr in the schema (python-docx's table starts with it)."""
    look = tblpr.find(qn("w:tblLook"))
    if look is not None:
        tblpr.remove(look)
        tblpr.append(look)


def _cell_width(cell: _Cell, twips: int) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    width = tcpr.find(qn("w:tcW"))
    if width is None:
        width = OxmlElement("w:tcW")
        tcpr.insert(0, width)
    width.set(qn("w:w"), str(twips))
    width.set(qn("w:type"), "dxa")


def table_add(
    container: Document, widths_mm: Sequence[float], *, header: Iterable[str] | None = None, rows: int = 0
) -> Table:
    """A table with fixed column widths chosen for its content (they add up to the text block),
    a repeating header row in 黑体 when `header` is given, then `rows` empty body rows."""
    total = sum(widths_mm)
    twips = [mm_twips(w * TEXT_WIDTH_MM / total) for w in widths_mm]
    table = container.add_table(rows=0, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    # Narrow cell margins (1 mm a side): the columns are sized for their text.
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(mm_twips(1)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr.append(margins)
    _look_last(tblpr)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(w))
    if header is not None:
        row = table.add_row()
        row_flags(row, header=True)
        for cell, text, w in zip(row.cells, header, twips, strict=True):
            _cell_width(cell, w)
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Text"
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run_add(paragraph, text, font=HEITI, size=TABLE_PT)
    for _ in range(rows):
        row = table.add_row()
        row_flags(row, header=False)
        for cell, w in zip(row.cells, twips, strict=True):
            _cell_width(cell, w)
            cell.paragraphs[0].style = "Table Text"
    return table


def _borders(tblpr: BaseOxmlElement, sides: dict[str, int]) -> None:
    """The table's own borders (replacing its style's): each side single, in eighths of a point; others none."""
    old = tblpr.find(qn("w:tblBorders"))
    if old is not None:
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        eighths = sides.get(side)
        line.set(qn("w:val"), "single" if eighths else "nil")
        if eighths:
            line.set(qn("w:sz"), str(eighths))
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        borders.append(line)
    # The schema's place: after tblW/jc/tblInd, before tblLayout.
    layout = tblpr.find(qn("w:tblLayout"))
    if layout is not None:
        layout.addprevious(borders)
    else:
        tblpr.append(borders)


def record_table(container: Document, rows: int) -> Table:
    """The 版记 (7.4.1) as a one-column table the width of the text block, floating at the bottom
    of the page its anchor (the paragraph after it) is on: the last rule on the text block's
    bottom edge of the last page. Rules: the first and last 0.35 mm, those between 0.25 mm, all
    156 mm (the table's own borders; the text keeps one character in by the Record style).

    Floating (w:tblpPr) to the margin's bottom; horizontally relative to the page at the left
    margin, since LibreOffice (7.4) lays a floating table as wide as the text block out inline
    unless it is positioned relative to the page."""
    table = table_add(container, [TEXT_WIDTH_MM], rows=rows)
    tblpr = table._tbl.tblPr
    for margin in tblpr.findall(qn("w:tblCellMar")):
        tblpr.remove(margin)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr.append(margins)
    _look_last(tblpr)
    _borders(
        tblpr,
        {"top": RECORD_RULE_EIGHTHS, "bottom": RECORD_RULE_EIGHTHS, "insideH": RECORD_INNER_RULE_EIGHTHS},
    )
    position = OxmlElement("w:tblpPr")
    for key, value in (
        ("leftFromText", "0"),
        ("rightFromText", "0"),
        ("topFromText", "0"),
        ("bottomFromText", "0"),
        ("vertAnchor", "margin"),
        ("horzAnchor", "page"),
        ("tblpX", str(mm_twips(MARGIN_LEFT_MM))),
        ("tblpYSpec", "bottom"),
    ):
        position.set(qn(f"w:{key}"), value)
    style = tblpr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(position)
    else:
        tblpr.insert(0, position)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    position.addnext(overlap)
    for row in table.rows:
        row.cells[0].paragraphs[0].style = "Record"
    return table


def page_break_before(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.page_break_before = True
