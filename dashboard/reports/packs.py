"""Review packs: `build_pack(engine, review, fmt) -> bytes` for fmt pdf | pptx | xlsx.

PDF and PPTX are the slides of `dashboard.reports.deck.slides(review)` (what `/present` shows), one per page,
16:9 (13.333 x 7.5 in), with the footer stamp (scope, month, data as of, methodology version, generated
at). Charts are PNG images made by kaleido with the system Chromium (one browser for the whole pack).
PPTX tables are native, editable tables and every slide carries speaker notes with the key numbers.
XLSX has every table of the review on its own sheet, numbers stored as numbers, styled and frozen
header rows; after the Summary come the review loop's sheets: "Commitments" (the deck's opening tally) and
"Actions" (every action of the scope). Text people typed (actions, reasons) is written through
`dashboard.reports.tabular` (never a formula) and without control characters in the PDF and PPTX.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard.actions import tally
from dashboard.display import FORUM_WORDS, STATUS_WORDS, format_timestamp, month_long, outcome_words
from dashboard.i18n import N_, current_language
from dashboard.i18n import gettext as _
from dashboard.reports import tabular
from dashboard.reports.deck import TALLY_KEYS, commitment_groups, slides, stamp
from dashboard.reports.review import Review
from dashboard.safe_text import strip_control_characters
from layouts.slides import Chart, Kpis, Slide, Table, Text

FORMATS = ("pdf", "pptx", "xlsx")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Hindi: Noto Sans Devanagari (Debian fonts-noto-core, installed by scripts/setup.sh), shaped by HarfBuzz
DEVANAGARI_DIR = Path("/usr/share/fonts/truetype/noto")
DEVANAGARI_FONT = "Noto Sans Devanagari"  # the PPTX runs' complex-script (a:cs) typeface
CHROMIUM = "/usr/bin/chromium"

# page geometry in inches (the PowerPoint 16:9 page); PDF uses the same numbers in millimetres
PAGE_W, PAGE_H = 13.333, 7.5
MARGIN = 0.5
BODY_TOP, BODY_BOTTOM = 1.55, 6.8
COL_GAP = 0.35
PX_PER_IN = 96  # chart images: CSS pixels per inch of page (slide fonts are px, as in the deck)

INK = (17, 24, 39)
MUTED = (75, 85, 99)
RULE = (31, 41, 55)
LIGHT_RULE = (209, 213, 219)
ACCENT = (11, 92, 173)
OURS_FILL = (255, 236, 179)
ZEBRA = (243, 246, 250)
TONE = {"up": (19, 115, 51), "down": (179, 38, 30), "": INK}
TEXT_POINTS = {"l": 24, "m": 15, "s": 15}  # a Text block's type size in the PPTX (the PDF: 2 pt less)


class PackError(ValueError):
    pass


def build_pack(engine: Engine, review: Review, fmt: str) -> bytes:
    """The review pack as bytes. `engine` is accepted for symmetry with the other builders; every
    number comes from `review` (already scoped)."""
    fmt = (fmt or "").lower()
    if fmt == "xlsx":
        return build_xlsx(review)
    if fmt not in FORMATS:
        raise PackError(f"unknown pack format {fmt!r}: use pdf, pptx or xlsx")
    deck = slides(review)
    images = chart_images(deck)
    return build_pdf(review, deck, images) if fmt == "pdf" else build_pptx(review, deck, images)


# --- geometry -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


def column_boxes(slide: Slide) -> list[Box]:
    n = max(1, len(slide.columns))
    widths = slide.widths if len(slide.widths) == n else [1.0] * n
    usable = PAGE_W - 2 * MARGIN - COL_GAP * (n - 1)
    total = sum(widths) or 1.0
    boxes, x = [], MARGIN
    for w in widths:
        cw = usable * w / total
        boxes.append(Box(x, BODY_TOP, cw, BODY_BOTTOM - BODY_TOP))
        x += cw + COL_GAP
    return boxes


CAPTION_H = 0.32
KPI_ROW_H = 1.15  # a horizontal strip of headline numbers
KPI_H, KPI_GAP = 1.0, 0.12  # one headline number in a column
BLOCK_GAP = 0.15


def block_height(block: Any) -> float:
    """Height of a block that sits above a chart in the same column (charts take what is left)."""
    if isinstance(block, Kpis):
        return KPI_ROW_H if block.horizontal else len(block.items) * (KPI_H + KPI_GAP)
    if isinstance(block, Text):
        return 0.45 * len(block.lines)
    return 0.0


def chart_box(slide: Slide, chart: Chart) -> Box:
    """Where a chart goes: the rest of its column below the blocks above it and its caption."""
    for col, box in zip(slide.columns, column_boxes(slide), strict=False):
        if any(b is chart for b in col):
            top = box.y
            for b in col:
                if b is chart:
                    break
                top += block_height(b) + BLOCK_GAP
            if chart.caption:
                top += CAPTION_H
            return Box(box.x, top, box.w, box.y + box.h - top)
    raise ValueError("chart not on slide")


# --- charts ---------------------------------------------------------------------------------------------

_KALEIDO_LOCK = threading.Lock()


def chart_images(deck: Sequence[Slide]) -> dict[int, bytes]:
    """PNG bytes per chart (keyed by id(chart)), made in one kaleido browser session."""
    charts = [(s, c) for s in deck for c in s.charts()]
    if not charts:
        return {}
    if not os.environ.get("BROWSER_PATH") and Path(CHROMIUM).exists():
        os.environ["BROWSER_PATH"] = CHROMIUM
    import kaleido

    from layouts.figures import apply_theme, to_figure

    out: dict[int, bytes] = {}
    with _KALEIDO_LOCK:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            for slide, chart in charts:
                box = chart_box(slide, chart)
                fig = apply_theme(to_figure(chart.figure), False)
                fig.update_layout(paper_bgcolor="white", plot_bgcolor="white")
                opts = {"format": "png", "width": round(box.w * PX_PER_IN), "height": round(box.h * PX_PER_IN),
                        "scale": 2}
                out[id(chart)] = kaleido.calc_fig_sync(fig, opts=opts)
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    return out


def footer_text(review: Review) -> str:
    return f"{stamp(review)} · " + _("generated {when}").format(when=format_timestamp(review.generated_at))


# --- PDF (fpdf2) ----------------------------------------------------------------------------------------

MM = 25.4  # mm per inch


def _pdf_fonts(pdf: Any) -> str:
    """DejaVu Sans for Latin text and symbols, Noto Sans Devanagari as the fallback for Hindi, with text
    shaping (HarfBuzz) so that conjuncts and vowel signs are placed right (पुलिस, not पुलसि)."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica"  # no ₹/▲/▼ glyphs: the text still reads
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    deva, deva_bold = (DEVANAGARI_DIR / "NotoSansDevanagari-Regular.ttf",
                       DEVANAGARI_DIR / "NotoSansDevanagari-Bold.ttf")
    if deva.exists() and deva_bold.exists():
        pdf.add_font("NotoDevanagari", "", str(deva))
        pdf.add_font("NotoDevanagari", "B", str(deva_bold))
        pdf.set_fallback_fonts(["NotoDevanagari"], exact_match=False)
    pdf.set_text_shaping(True)
    return "DejaVu"


def set_complex_script_font(prs: Any, typeface: str = DEVANAGARI_FONT) -> None:
    """Give every text run of the presentation (slides, tables, notes) a complex-script font (`a:cs`), which
    PowerPoint and LibreOffice use for Devanagari; Latin text keeps the theme's font."""
    from pptx.oxml.ns import qn

    later = {qn(t) for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")}
    parts = [slide.part for slide in prs.slides]
    parts += [slide.notes_slide.part for slide in prs.slides if slide.has_notes_slide]
    for part in parts:
        for run in part._element.iter(qn("a:r")):
            rpr = run.get_or_add_rPr()
            for old in rpr.findall(qn("a:cs")):
                rpr.remove(old)
            cs = rpr.makeelement(qn("a:cs"), {"typeface": typeface})
            follower = next((child for child in rpr if child.tag in later), None)
            if follower is not None:
                follower.addprevious(cs)
            else:
                rpr.append(cs)


def pack_title(review: Review) -> str:
    return _("{scope}: CCTNS progress review, {month}").format(scope=review.scope_name,
                                                                month=month_long(review.month))


def build_pdf(review: Review, deck: Sequence[Slide], images: dict[int, bytes]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format=(PAGE_H * MM, PAGE_W * MM))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN * MM, MARGIN * MM, MARGIN * MM)
    font = _pdf_fonts(pdf)
    pdf.set_title(pack_title(review))
    pdf.set_author(_("CCTNS progress dashboard"))
    pdf.set_subject(footer_text(review))
    pdf.set_creator("cctns pack")
    pdf.set_lang("hi-IN" if current_language() == "hi" else "en-IN")
    footer = footer_text(review)
    for n, slide in enumerate(deck, 1):
        pdf.add_page()
        _pdf_slide(pdf, font, slide, images)
        pdf.set_font(font, "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.set_draw_color(*LIGHT_RULE)
        pdf.line(MARGIN * MM, 7.0 * MM, (PAGE_W - MARGIN) * MM, 7.0 * MM)
        pdf.set_xy(MARGIN * MM, 7.06 * MM)
        pdf.cell((PAGE_W - 2 * MARGIN - 0.8) * MM, 5, footer)
        pdf.set_xy((PAGE_W - MARGIN - 0.8) * MM, 7.06 * MM)
        pdf.cell(0.8 * MM, 5, f"{n} / {len(deck)}", align="R")
    return bytes(pdf.output())


def _pdf_slide(pdf: Any, font: str, slide: Slide, images: dict[int, bytes]) -> None:
    left = MARGIN * MM
    width = (PAGE_W - 2 * MARGIN) * MM
    if slide.kind == "title":
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, PAGE_W * MM, 0.22 * MM, style="F")
        pdf.set_text_color(*INK)
        pdf.set_font(font, "B", 40)
        pdf.set_xy(left, 1.35 * MM)
        pdf.multi_cell(width, 17, slide.title)
        pdf.set_font(font, "", 22)
        pdf.set_text_color(*ACCENT)
        pdf.set_x(left)
        pdf.multi_cell(width, 11, slide.subtitle)
        y = 3.35 * MM
        for block in slide.columns[0]:
            if isinstance(block, Kpis):
                y = _pdf_kpis(pdf, font, block, left, y, width, big=True) + 8
            elif isinstance(block, Text):
                pdf.set_font(font, "", 15)
                pdf.set_text_color(*MUTED)
                for line in block.lines:
                    pdf.set_xy(left, y)
                    pdf.cell(width, 8, line)
                    y += 8
        return
    pdf.set_text_color(*INK)
    size = 26.0
    pdf.set_font(font, "B", size)
    while size > 18 and pdf.get_string_width(slide.title) > width:  # a long title stays on one line
        size -= 0.5
        pdf.set_font(font, "B", size)
    pdf.set_xy(left, 0.38 * MM)
    pdf.cell(width, 12, slide.title)
    if slide.subtitle:
        pdf.set_font(font, "", 14)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(left, 0.38 * MM + 13)
        pdf.cell(width, 7, slide.subtitle)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(left, 1.32 * MM, left + 40, 1.32 * MM)
    pdf.set_line_width(0.2)
    for col, box in zip(slide.columns, column_boxes(slide), strict=False):
        x, y, w = box.x * MM, box.y * MM, box.w * MM
        for block in col:
            if isinstance(block, Chart):
                cb = chart_box(slide, block)
                if block.caption:
                    _pdf_caption(pdf, font, block.caption, x, (cb.y - CAPTION_H) * MM, w)
                data = images.get(id(block))
                if data:
                    pdf.image(io.BytesIO(data), x=cb.x * MM, y=cb.y * MM, w=cb.w * MM, h=cb.h * MM)
                y = (cb.y + cb.h) * MM
            elif isinstance(block, Table):
                y = _pdf_table(pdf, font, block, x, y, w) + 5
            elif isinstance(block, Kpis):
                _pdf_kpis(pdf, font, block, x, y, w)
                y += (block_height(block) + BLOCK_GAP) * MM
            elif isinstance(block, Text):
                size = TEXT_POINTS.get(block.size, 15) - 2
                pdf.set_font(font, "", size)
                pdf.set_text_color(*MUTED)
                for line in block.lines:
                    pdf.set_xy(x, y)
                    pdf.multi_cell(w, size / 2, line, align="L")
                    y = pdf.get_y() + size / 8


def _pdf_caption(pdf: Any, font: str, text: str, x: float, y: float, w: float) -> float:
    pdf.set_font(font, "B", 12)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x, y)
    pdf.cell(w, 6, text)
    return y + CAPTION_H * MM


def _pdf_kpis(pdf: Any, font: str, k: Kpis, x: float, y: float, w: float, big: bool = False) -> float:
    if k.horizontal:
        n = len(k.items)
        gap = 6
        bw = (w - gap * (n - 1)) / n
        h = 36 if big else (KPI_ROW_H - 0.05) * MM
        for i, item in enumerate(k.items):
            bx = x + i * (bw + gap)
            pdf.set_fill_color(*(OURS_FILL if item.highlight else ZEBRA))
            pdf.rect(bx, y, bw, h, style="F")
            pdf.set_fill_color(*ACCENT)
            pdf.rect(bx, y, 1.6, h, style="F")
            _pdf_kpi(pdf, font, item, bx + 5, y + 3, bw - 8, big)
        return y + h
    for item in k.items:
        pdf.set_fill_color(*(OURS_FILL if item.highlight else ZEBRA))
        pdf.rect(x, y, w, KPI_H * MM, style="F")
        pdf.set_fill_color(*ACCENT)
        pdf.rect(x, y, 1.6, KPI_H * MM, style="F")
        _pdf_kpi(pdf, font, item, x + 5, y + 1.5, w - 8, False)
        y += (KPI_H + KPI_GAP) * MM
    return y


def _pdf_kpi(pdf: Any, font: str, item: Any, x: float, y: float, w: float, big: bool) -> None:
    size = 12 if big else 11
    pdf.set_font(font, "B", size)
    while size > 7 and pdf.get_string_width(item.label) > w:
        size -= 0.5
        pdf.set_font(font, "B", size)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x, y)
    pdf.cell(w, 6, item.label)
    pdf.set_font(font, "B", 30 if big else 22)
    pdf.set_text_color(*TONE.get(item.tone, INK))
    pdf.set_xy(x, y + 6.5)
    pdf.cell(w, 12 if big else 9.5, item.value)
    if item.sub:
        pdf.set_font(font, "", 11 if big else 10)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x, y + (19.5 if big else 16))
        pdf.cell(w, 5.5, item.sub)


def _pdf_table(pdf: Any, font: str, t: Table, x: float, y: float, w: float) -> float:
    from fpdf.fonts import FontFace

    if t.caption:
        y = _pdf_caption(pdf, font, t.caption, x, y, w) - 1.5
    if not t.rows:
        pdf.set_font(font, "", 15)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x, y + 4)
        pdf.multi_cell(w, 8, t.empty)
        return pdf.get_y()
    size = 11 if t.small else (13 if t.dense or w < 0.55 * PAGE_W * MM else 15)
    pdf.set_font(font, "", size)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*LIGHT_RULE)
    old_margins = pdf.l_margin, pdf.r_margin
    pdf.set_left_margin(x)
    pdf.set_right_margin(max(0.0, PAGE_W * MM - x - w - 0.01))
    pdf.set_xy(x, y)
    aligns = {"left": "LEFT", "right": "RIGHT", "center": "CENTER"}
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=RULE, size_pt=size - 3)
    with pdf.table(width=w, col_widths=[c.width for c in t.columns], align="LEFT", first_row_as_headings=True,
                   headings_style=heading, line_height=size * 0.52, borders_layout="HORIZONTAL_LINES",
                   padding=(1.6, 2.2), text_align=[aligns.get(c.align, "LEFT") for c in t.columns],
                   v_align="MIDDLE") as table:
        head = table.row()
        for c in t.columns:
            head.cell(c.label)
        for i, row in enumerate(t.rows):
            r = table.row()
            ours = i in t.highlight
            tones = t.tones[i] if i < len(t.tones) else []
            for j, v in enumerate(row):
                tone = tones[j] if j < len(tones) else ""
                fill = OURS_FILL if ours else (ZEBRA if i % 2 else (255, 255, 255))
                style = FontFace(emphasis="BOLD" if ours or tone else None, color=TONE.get(tone, INK), fill_color=fill)
                r.cell(v, style=style)
    end = pdf.get_y()
    pdf.set_left_margin(old_margins[0])
    pdf.set_right_margin(old_margins[1])
    return end


# --- PPTX (python-pptx) ---------------------------------------------------------------------------------


def build_pptx(review: Review, deck: Sequence[Slide], images: dict[int, bytes]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(PAGE_W), Inches(PAGE_H)
    # names come from imports: a control character is not XML (lxml refuses the whole pack)
    prs.core_properties.title = strip_control_characters(pack_title(review))
    prs.core_properties.author = _("CCTNS progress dashboard")
    prs.core_properties.language = "hi-IN" if current_language() == "hi" else "en-IN"
    prs.core_properties.subject = strip_control_characters(footer_text(review))
    layout = prs.slide_layouts[5]  # Title Only: a real title placeholder (outline, accessibility)
    footer = footer_text(review)
    for n, spec in enumerate(deck, 1):
        s = prs.slides.add_slide(layout)
        _pptx_slide(s, spec, images)
        _pptx_text(s, MARGIN, 7.02, PAGE_W - 2 * MARGIN - 0.8, 0.3, footer, 10, MUTED)
        _pptx_text(s, PAGE_W - MARGIN - 0.8, 7.02, 0.8, 0.3, f"{n} / {len(deck)}", 10, MUTED, align="right")
        s.notes_slide.notes_text_frame.text = strip_control_characters(
            f"{spec.title}\n{spec.subtitle}\n\n{spec.notes}\n\n{footer}")
    set_complex_script_font(prs)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _rgb(c: tuple[int, int, int]) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor(*c)


def _pptx_text(s: Any, x: float, y: float, w: float, h: float, text: str, size: float, color: tuple[int, int, int],
               bold: bool = False, align: str = "left") -> Any:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    box = s.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(strip_control_characters(str(text)).split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT, "center": PP_ALIGN.CENTER}[align]
        run = p.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = _rgb(color)
    return box


def title_points(title: str, size: float, fits: int) -> float:
    """A slide title's type size in the PPTX: `size` when the title has at most `fits` characters (one line
    at that size), smaller in proportion for a longer one, never below 20 pt."""
    return size if len(title) <= fits else max(20.0, round(size * fits / len(title), 1))


def _pptx_title(s: Any, title: str, x: float, y: float, w: float, h: float, size: float) -> None:
    from pptx.util import Inches, Pt

    shape = s.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(x), Inches(y), Inches(w), Inches(h)
    tf = shape.text_frame
    tf.text = strip_control_characters(title)
    tf.word_wrap = True
    p = tf.paragraphs[0]
    from pptx.enum.text import PP_ALIGN

    p.alignment = PP_ALIGN.LEFT
    for run in p.runs:
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.color.rgb = _rgb(INK)


def _pptx_slide(s: Any, spec: Slide, images: dict[int, bytes]) -> None:
    from pptx.util import Inches

    width = PAGE_W - 2 * MARGIN
    if spec.kind == "title":
        bar = s.shapes.add_shape(1, 0, 0, Inches(PAGE_W), Inches(0.22))
        bar.fill.solid()
        bar.fill.fore_color.rgb = _rgb(ACCENT)
        bar.line.fill.background()
        _pptx_title(s, spec.title, MARGIN, 1.2, width, 1.0, 44)
        _pptx_text(s, MARGIN, 2.25, width, 0.6, spec.subtitle, 24, ACCENT)
        y = 3.35
        for block in spec.columns[0]:
            if isinstance(block, Kpis):
                y = _pptx_kpis(s, block, MARGIN, y, width, big=True) + 0.3
            elif isinstance(block, Text):
                _pptx_text(s, MARGIN, y, width, 0.4 * len(block.lines), "\n".join(block.lines), 16, MUTED)
        return
    _pptx_title(s, spec.title, MARGIN, 0.3, width, 0.65, title_points(spec.title, 30, 44))
    if spec.subtitle:
        _pptx_text(s, MARGIN, 0.92, width, 0.4, spec.subtitle, 16, MUTED)
    for col, box in zip(spec.columns, column_boxes(spec), strict=False):
        y = box.y
        for block in col:
            if isinstance(block, Chart):
                cb = chart_box(spec, block)
                if block.caption:
                    _pptx_text(s, box.x, cb.y - CAPTION_H - 0.05, box.w, CAPTION_H, block.caption, 13, MUTED, bold=True)
                data = images.get(id(block))
                if data:
                    s.shapes.add_picture(io.BytesIO(data), Inches(cb.x), Inches(cb.y), Inches(cb.w), Inches(cb.h))
                y = cb.y + cb.h
            elif isinstance(block, Table):
                y = _pptx_table(s, block, box.x, y, box.w) + 0.2
            elif isinstance(block, Kpis):
                _pptx_kpis(s, block, box.x, y, box.w)
                y += block_height(block) + BLOCK_GAP
            elif isinstance(block, Text):
                size = TEXT_POINTS.get(block.size, 15)
                _pptx_text(s, box.x, y, box.w, 0.4 * len(block.lines), "\n".join(block.lines), size, MUTED)
                y += 0.45 * len(block.lines) * size / 15


def _pptx_kpis(s: Any, k: Kpis, x: float, y: float, w: float, big: bool = False) -> float:
    from pptx.util import Inches

    def card(cx: float, cy: float, cw: float, ch: float, item: Any) -> None:
        rect = s.shapes.add_shape(1, Inches(cx), Inches(cy), Inches(cw), Inches(ch))
        rect.fill.solid()
        rect.fill.fore_color.rgb = _rgb(OURS_FILL if item.highlight else ZEBRA)
        rect.line.fill.background()
        edge = s.shapes.add_shape(1, Inches(cx), Inches(cy), Inches(0.07), Inches(ch))
        edge.fill.solid()
        edge.fill.fore_color.rgb = _rgb(ACCENT)
        edge.line.fill.background()
        label_pt = 13 if big else (12 if len(item.label) * 0.1 < cw else 10)
        _pptx_text(s, cx + 0.15, cy + 0.02, cw - 0.2, 0.3, item.label, label_pt, MUTED, bold=True)
        _pptx_text(s, cx + 0.15, cy + 0.3, cw - 0.2, 0.6, item.value, 34 if big else 26, TONE.get(item.tone, INK),
                   bold=True)
        if item.sub:
            _pptx_text(s, cx + 0.15, cy + (0.85 if big else 0.7), cw - 0.2, 0.3, item.sub, 12 if big else 11, MUTED)

    if k.horizontal:
        n = len(k.items)
        gap = 0.25
        cw = (w - gap * (n - 1)) / n
        ch = 1.35 if big else KPI_ROW_H - 0.05
        for i, item in enumerate(k.items):
            card(x + i * (cw + gap), y, cw, ch, item)
        return y + ch
    for item in k.items:
        card(x, y, w, KPI_H, item)
        y += KPI_H + KPI_GAP
    return y


def _pptx_table(s: Any, t: Table, x: float, y: float, w: float) -> float:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    if t.caption:
        _pptx_text(s, x, y - 0.05, w, CAPTION_H, t.caption, 13, MUTED, bold=True)
        y += CAPTION_H
    if not t.rows:
        _pptx_text(s, x, y + 0.1, w, 0.5, t.empty, 18, MUTED)
        return y + 0.6
    size = 12 if t.small else (14 if t.dense or w < 0.55 * PAGE_W else 17)
    row_h = 0.62 if t.small else (0.4 if t.dense else 0.44)
    rows, cols = len(t.rows) + 1, len(t.columns)
    shape = s.shapes.add_table(rows, cols, Inches(x), Inches(y), Inches(w), Inches(row_h * rows))
    table = shape.table
    total = sum(c.width for c in t.columns) or 1.0
    for j, c in enumerate(t.columns):
        table.columns[j].width = Inches(w * c.width / total)
    align = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT, "center": PP_ALIGN.CENTER}

    def fill(cell: Any, text: str, col: int, colour: tuple[int, int, int], bold: bool, bg: tuple[int, int, int] | None,
             pt: float) -> None:
        cell.text = strip_control_characters(text)
        cell.margin_left = cell.margin_right = Inches(0.06)
        cell.margin_top = cell.margin_bottom = Inches(0.03)
        for p in cell.text_frame.paragraphs:
            p.alignment = align.get(t.columns[col].align, PP_ALIGN.LEFT)
            for run in p.runs:
                run.font.size = Pt(pt)
                run.font.bold = bold
                run.font.color.rgb = _rgb(colour)
        if bg is None:
            cell.fill.background()
        else:
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(bg)

    for j, c in enumerate(t.columns):
        fill(table.cell(0, j), c.label, j, (255, 255, 255), True, RULE, size - 3)
    for i, row in enumerate(t.rows, 1):
        ours = (i - 1) in t.highlight
        tones = t.tones[i - 1] if i - 1 < len(t.tones) else []
        bg = OURS_FILL if ours else (ZEBRA if (i - 1) % 2 else (255, 255, 255))
        for j, v in enumerate(row):
            tone = tones[j] if j < len(tones) else ""
            fill(table.cell(i, j), v, j, TONE.get(tone, INK), ours or bool(tone), bg, size)
    for r in table.rows:
        r.height = Inches(row_h)
    return y + row_h * rows


# --- XLSX (openpyxl) ------------------------------------------------------------------------------------

SCORE_FMT = "0.00"
CHANGE_FMT = "+0.00;-0.00;0.00"
STAKE_FMT = "0.000"
INT_FMT = "0"


def _centi(v: object) -> float | None:
    return None if v is None or pd.isna(v) else int(v) / 100  # type: ignore[call-overload]


def _num(v: object) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        return v
    if isinstance(v, bool):
        return v
    if hasattr(v, "item"):
        v = v.item()  # numpy / pandas scalars -> Python
    return v


def _sheet(wb: Any, name: str, df: pd.DataFrame, columns: list[tuple[str, str, str | None]]) -> Any:
    """One sheet: `columns` = (source column, header, number format or None); its name and headers in the
    current language. Returns the sheet."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(tabular.sheet_title(_(name)))
    tabular.append_row(ws, [_(h) for _src, h, _fmt in columns])
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F2937")
    for cell in ws[1]:
        cell.font = head_font
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.border = Border(bottom=Side(style="medium", color="0B5CAD"))
    for _i, row in (df.iterrows() if df is not None else iter(())):
        tabular.append_row(ws, [_num(row[c]) if c in row.index else None for c, _h, _f in columns])
    for j, (src, header, fmt) in enumerate(columns, 1):
        letter = get_column_letter(j)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        longest = max([len(str(header))] + [len(str(c.value)) for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j)
                                             if c.value is not None][:500])
        ws.column_dimensions[letter].width = min(60, max(8, longest + 2))
        if src in ("reasons", "actions", "text", "data_shows"):
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _with_published(df: pd.DataFrame) -> pd.DataFrame:
    """score (published, 2 decimals) and score_change as numbers, from the exact hundredths."""
    if df is None or df.empty:
        return pd.DataFrame() if df is None else df
    out = df.copy()
    if "score_centi" in out:
        out["score_published"] = [_centi(v) for v in out["score_centi"]]
    if "score_change_centi" in out:
        out["score_change"] = [_centi(v) for v in out["score_change_centi"]]
    return out


def summary_rows(r: Review) -> list[tuple[str, Any, str | None]]:
    h = r.headline
    lost = r.marks_lost
    rows: list[tuple[str, Any, str | None]] = [
        (N_("Scope"), r.scope_name, None),
        (N_("State/UT code"), r.state_code, None),
        (N_("District code"), r.district_code or "", None),
        (N_("Month"), r.month, None),
        (N_("Data as of"), format_timestamp(r.data_as_of), None),
        (N_("Methodology version"), r.methodology_version, None),
        (N_("Ranking scheme"), r.scheme_name, None),
        (N_("Methodology provenance"), r.methodology_provenance, None),
        (N_("Generated at"), format_timestamp(r.generated_at), None),
        (N_("Score (published)"), _centi(h.get("score_centi")), SCORE_FMT),
        (N_("Score change since last month"), _centi(h.get("score_change_centi")), CHANGE_FMT),
        (N_("All-India rank"), _num(h.get("rank_national")), INT_FMT),
        (N_("States/UTs ranked"), _num(h.get("states_ranked")), INT_FMT),
        (N_("All-India rank change (places up)"), _num(h.get("rank_change_national")), INT_FMT),
        (N_("Category"), r.category, None),
        (N_("Category rank"), _num(h.get("rank_category")), INT_FMT),
        (N_("Months at #1 (streak)"), _num(h.get("streak_at_1")), INT_FMT),
        (N_("Months in the top 5 (streak)"), _num(h.get("streak_top5")), INT_FMT),
        (N_("Marks lost in all"), float(lost["marks_lost"].sum()) if lost is not None and not lost.empty else 0.0,
         STAKE_FMT),
    ]
    if r.above:
        rows += [(N_("State/UT above"), r.above["name"], None),
                 (N_("Marks needed to overtake it"), float(r.above["marks_needed"]), STAKE_FMT)]
    if r.below:
        rows += [(N_("State/UT below"), r.below["name"], None), (N_("Lead over it"), float(r.below["lead"]), STAKE_FMT)]
    if r.is_district and r.district_headline:
        d = r.district_headline
        rows += [(N_("District score (published)"), _centi(d.get("score_centi")), SCORE_FMT),
                 (N_("District score change"), _centi(d.get("score_change_centi")), CHANGE_FMT),
                 (N_("District rank in the State"), _num(d.get("rank_in_state")), INT_FMT),
                 (N_("Districts ranked"), _num(d.get("districts_ranked")), INT_FMT)]
    rows.append((N_("Lagging police stations"), r.lagging_count, INT_FMT))
    counts = tally(r.commitments)
    rows.append((N_("Commitments from the last review"), counts["total"], INT_FMT))
    rows += [(f"  {label}", counts[key], INT_FMT) for key, label, _tone in TALLY_KEYS]
    return rows


def build_xlsx(r: Review) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")
    tabular.append_row(ws, [_("Item"), _("Value")])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F2937")
    for label, value, fmt in summary_rows(r):
        tabular.append_row(ws, [_(label) if not label.startswith(" ") else "  " + _(label.strip()), value])
        if fmt:
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A2"

    commitments = _sheet(wb, N_("Commitments"), commitments_frame(r), [
        ("unit", N_("Police station") if r.is_district else N_("District"), None), ("total", N_("Actions"), INT_FMT),
        *[(key, label, INT_FMT) for key, label, _tone in TALLY_KEYS], ("not_judged", N_("Cannot be judged"), INT_FMT),
        ("escalated", N_("Escalated"), INT_FMT)])
    if commitments.max_row > 1:
        for cell in commitments[commitments.max_row]:  # the total
            cell.font = Font(bold=True)
    _sheet(wb, N_("Actions"), actions_frame(r), ACTION_SHEET_COLUMNS)

    states = _with_published(r.states)
    _sheet(wb, N_("All-India"), states, [
        ("rank_national", N_("All-India rank"), INT_FMT), ("unit_code", N_("State/UT code"), None), ("name", N_("State/UT"), None),
        ("category", N_("Category"), None), ("score_published", N_("Score"), SCORE_FMT),
        ("score_change", N_("Score change"), CHANGE_FMT), ("rank_change_national", N_("Rank change (places up)"), INT_FMT),
        ("rank_category", N_("Category rank"), INT_FMT), ("rank_change_category", N_("Category rank change"), INT_FMT),
        ("streak_at_1", N_("Months at #1"), INT_FMT), ("streak_top5", N_("Months in top 5"), INT_FMT),
        ("stations_reported", N_("Stations reported"), INT_FMT), ("stations_active", N_("Stations active"), INT_FMT),
        ("gap_to_100", N_("Gap to 100"), SCORE_FMT)])
    trend_cols = [("month", N_("Month"), None), ("score_published", N_("Score"), SCORE_FMT),
                  ("rank_national", N_("All-India rank"), INT_FMT), ("rank_category", N_("Category rank"), INT_FMT),
                  ("version_id", N_("Methodology version"), None)]
    _sheet(wb, N_("Score trend"), _with_published(r.trend), trend_cols)
    hist = r.rank_history.copy()
    if not hist.empty:
        hist["score_published"] = [_centi(v) for v in hist["score_centi"]]
    _sheet(wb, N_("Rank history"), hist, [("month", N_("Month"), None), ("unit_code", N_("State/UT code"), None),
                                      ("name", N_("State/UT"), None), ("rank", N_("All-India rank"), INT_FMT),
                                      ("score_published", N_("Score"), SCORE_FMT)])
    _sheet(wb, N_("Why rank moved"), r.why_own, [
        ("parameter", N_("Parameter id"), None), ("parameter_name", N_("Parameter"), None),
        ("contribution_prev", N_("Contribution last month"), "0.000"), ("contribution_now", N_("Contribution now"), "0.000"),
        ("change", N_("Our change"), "+0.000;-0.000;0.000"),
        ("rivals_change", N_("States around us: average change"), "+0.000;-0.000;0.000")])
    _sheet(wb, N_("States around us"), _with_published(r.why_rivals), [
        ("rank_national", N_("All-India rank"), INT_FMT), ("unit_code", N_("State/UT code"), None), ("name", N_("State/UT"), None),
        ("score_display", N_("Score (text)"), None), ("score_change", N_("Score change"), CHANGE_FMT),
        ("rank_change_national", N_("Rank change (places up)"), INT_FMT)])
    _sheet(wb, N_("Marks lost"), r.marks_lost, [
        ("parameter", N_("Parameter id"), None), ("parameter_name", N_("Parameter"), None), ("head", N_("Head"), None),
        ("numerator", N_("Numerator"), INT_FMT), ("denominator", N_("Denominator"), INT_FMT), ("value", N_("Value (%)"), SCORE_FMT),
        ("weight", N_("Weight"), SCORE_FMT), ("marks", N_("Marks"), "0.000"), ("marks_lost", N_("Marks lost"), "0.000")])
    _sheet(wb, N_("Marks at stake"), r.stakes_by_parameter, [
        ("parameter", N_("Parameter id"), None), ("parameter_name", N_("Parameter"), None),
        ("stations", N_("Lagging stations"), INT_FMT), ("at_stake", N_("Marks at stake (State)"), STAKE_FMT)])
    unit_cols = [("score_published", N_("Score"), SCORE_FMT), ("score_change", N_("Score change"), CHANGE_FMT)]
    _sheet(wb, N_("Districts"), _with_published(r.districts), [
        ("rank_in_state", N_("Rank in State"), INT_FMT), ("unit_code", N_("District code"), None), ("name", N_("District"), None),
        *unit_cols, ("rank_change_in_state", N_("Rank change (places up)"), INT_FMT),
        ("lagging_stations", N_("Lagging stations"), INT_FMT), ("stations_reported", N_("Stations reported"), INT_FMT),
        ("stations_active", N_("Stations active"), INT_FMT)])
    _sheet(wb, N_("District movers"), _movers_frame(r.district_movers), [
        ("direction", N_("Direction"), None), ("unit_code", N_("District code"), None), ("name", N_("District"), None),
        *unit_cols])
    lag = r.lagging.copy() if r.lagging is not None else pd.DataFrame()
    _sheet(wb, N_("Lagging stations"), lag, [
        ("station_code", N_("Station code"), None), ("station_name", N_("Police station"), None),
        ("district_code", N_("District code"), None), ("district_name", N_("District"), None), ("score", N_("Score"), SCORE_FMT),
        ("not_reported", N_("Not reported"), None), ("low_score", N_("Low score"), None), ("reasons", N_("Why it lags"), None),
        ("at_stake_state", N_("Marks at stake (State)"), STAKE_FMT),
        ("at_stake_district", N_("Marks at stake (district)"), STAKE_FMT), ("actions", N_("What to fix first"), None)])
    rec = r.reconciliation.copy() if r.reconciliation is not None else pd.DataFrame()
    if len(rec):
        rec["flagged"] = rec["flagged"].map({True: _("yes"), False: _("no")})
    _sheet(wb, N_("Reconciliation"), rec, [
        ("state_code", N_("State/UT code"), None), ("state_name", N_("State/UT"), None),
        ("published_score", N_("NCRB published"), None), ("computed_score", N_("Our computation"), None),
        ("difference", N_("Difference"), None), ("published_rank", N_("Published rank"), INT_FMT),
        ("computed_rank", N_("Computed rank"), INT_FMT), ("flagged", N_("0.01 or more"), None),
        ("explained_by", N_("Local figures that would explain it"), None)])
    if r.is_district:
        _sheet(wb, N_("District trend"), _with_published(r.district_trend), [
            ("month", N_("Month"), None), ("score_published", N_("Score"), SCORE_FMT),
            ("rank_in_state", N_("Rank in State"), INT_FMT), ("version_id", N_("Methodology version"), None)])
        _sheet(wb, N_("Stations"), _with_published(r.stations), [
            ("rank_in_district", N_("Rank in district"), INT_FMT), ("unit_code", N_("Station code"), None),
            ("name", N_("Police station"), None), *unit_cols,
            ("rank_change_in_district", N_("Rank change (places up)"), INT_FMT), ("rank_in_state", N_("Rank in State"), INT_FMT),
            ("reported", N_("Reported"), None), ("fir_volume", N_("FIRs registered"), INT_FMT), ("peer_group", N_("Peer group"), None),
            ("at_stake_district", N_("Marks at stake (district)"), STAKE_FMT),
            ("at_stake_state", N_("Marks at stake (State)"), STAKE_FMT)])
        _sheet(wb, N_("Station movers"), _movers_frame(r.station_movers), [
            ("direction", N_("Direction"), None), ("unit_code", N_("Station code"), None), ("name", N_("Police station"), None),
            *unit_cols])
    wb.properties.title = strip_control_characters(pack_title(r))
    wb.properties.creator = "CCTNS progress dashboard"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ACTION_SHEET_COLUMNS: list[tuple[str, str, str | None]] = [
    ("id", N_("Action id"), INT_FMT), ("from_last_review", N_("From the last review"), None), ("level", N_("Level"), None),
    ("unit_code", N_("Unit code"), None), ("unit_name", N_("Unit"), None), ("district_name", N_("District"), None),
    ("parameter", N_("Parameter id"), None), ("parameter_name", N_("Parameter"), None), ("text", N_("Action"), None),
    ("owner", N_("Owner"), None), ("assigned_by", N_("Assigned by"), None), ("review_date", N_("Review date"), None),
    ("forum_words", N_("Forum"), None), ("basis_month", N_("Gap month"), None),
    ("gap_numerator", N_("Gap then: numerator"), INT_FMT), ("gap_denominator", N_("Gap then: denominator"), INT_FMT),
    ("gap_value", N_("Gap then: value (% or score)"), "0.0"), ("gap_target", N_("Target (% or lagging bar)"), "0.##"),
    ("gap_needed", N_("Numerator needed"), INT_FMT), ("gap_at_stake", N_("Marks at stake then"), STAKE_FMT),
    ("due_month", N_("Due month"), None), ("current_due_month", N_("Now due"), None),
    ("carry_cycles", N_("Carried over (months)"), INT_FMT), ("status_words", N_("Status"), None),
    ("status_reason", N_("Status reason"), None), ("escalated_to", N_("Escalated to"), None),
    ("outcome_words", N_("Outcome"), None), ("outcome_month", N_("Judged by the data of"), None),
    ("now_numerator", N_("Now: numerator"), INT_FMT), ("now_denominator", N_("Now: denominator"), INT_FMT),
    ("now_value", N_("Now: value (% or score)"), "0.0"), ("now_at_stake", N_("Marks at stake now"), STAKE_FMT),
    ("comment_count", N_("Comments"), INT_FMT), ("updated_by", N_("Last changed by"), None),
]


def actions_frame(r: Review) -> pd.DataFrame:
    """Every action of the review's scope for the "Actions" sheet, with outcome, status and forum in words
    and whether it is one of the commitments the deck opens with."""
    df = r.actions.copy() if r.actions is not None else pd.DataFrame()
    if df.empty:
        return df
    ids = set(r.commitments["id"].tolist())
    df["from_last_review"] = ["yes" if i in ids else "no" for i in df["id"]]
    df["outcome_words"] = [outcome_words(o) for o in df["outcome"]]
    df["status_words"] = [STATUS_WORDS.get(s, s) for s in df["status"]]
    df["forum_words"] = [FORUM_WORDS.get(f, f) for f in df["forum"]]
    return df


def commitments_frame(r: Review) -> pd.DataFrame:
    """The deck's opening tally as rows (by district, or by police station in a district review), then the
    total; every count is `dashboard.actions.tally` of the rows it stands for."""
    rows = [{"unit": name, **tally(g)} for name, g in commitment_groups(r)]
    if rows:
        rows.append({"unit": "Total", **tally(r.commitments)})
    return pd.DataFrame(rows)


def _movers_frame(movers: dict) -> pd.DataFrame:
    frames = []
    for key, word in (("improved", "most improved"), ("declined", "most declined")):
        df = movers.get(key) if movers else None
        if df is not None and not df.empty:
            frames.append(_with_published(df).assign(direction=word))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
