"""The bill page: A4 portrait, drawn with ReportLab's canvas, many bills into one file.

One :class:`BillWriter` writes one PDF (one canvas), so the font subsets and the page
resources are built once per file however many bills it holds. What every page of a
file has in common — headings, labels, rules, boxes, the slip's frame, the months under
the usage chart — is drawn once into a PDF form that each page then places; each page
draws only its own figures, all of its text in one text object. The usage chart is a
ReportLab chart (``reportlab.graphics.charts.barcharts``) built once per writer and given
each bill's numbers.

Layout, top to bottom: heading (issuer, title, month); customer and the amount due with
its due date (the largest type on the page); meter reading; charges beside the usage
chart and the comparison with the same month last year; where to pay; notes; and a
payment slip below the cut line.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils.dates import MONTHS
from django.utils.translation import pgettext
from reportlab import rl_config

# Attribute checking of chart shapes is a development aid that costs a third of a bill's time;
# it is decided when reportlab.graphics is first imported, so it is turned off before.
rl_config.shapeChecking = 0
# Compressed streams stay binary: ASCII85 makes files a quarter larger and costs time per page.
rl_config.useA85 = 0

from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.charts.barcharts import VerticalBarChart  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from core.money import format_won  # noqa: E402

from .fonts import BillFonts, bill_fonts  # noqa: E402
from .sheets import BillSheet  # noqa: E402

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
RIGHT = PAGE_WIDTH - MARGIN
TOP = PAGE_HEIGHT - MARGIN
MAX_ADJUSTMENT_LINES = 3  # more are summed on one line: a bill is always one page
MAX_PAYMENT_ACCOUNTS = 3

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6570")
RULE = colors.HexColor("#c9d3dd")
BRAND = colors.HexColor("#0b4f8a")
BRAND_LIGHT = colors.HexColor("#eaf2fa")
BAR = colors.HexColor("#a9c9e8")
WARN = colors.HexColor("#b45309")
WARN_LIGHT = colors.HexColor("#fff4e0")

# Where things are: the frame (drawn once per file) and the figures (per bill) share these.
HEAD_RULE = TOP - 18 * mm
CUSTOMER_TOP = TOP - 26 * mm
LABEL_X, VALUE_X = MARGIN, MARGIN + 25 * mm
CUSTOMER_ROWS = {  # label → baseline; the address has two lines
    "customer": CUSTOMER_TOP - 8 * mm,
    "address": CUSTOMER_TOP - 13.5 * mm,
    "use": CUSTOMER_TOP - 24 * mm,
    "route": CUSTOMER_TOP - 29.5 * mm,
    "mailing": CUSTOMER_TOP - 35 * mm,
}
CUSTOMER_WIDTH = 98 * mm - 25 * mm
BOX_X, BOX_W, BOX_H = MARGIN + 104 * mm, CONTENT_WIDTH - 104 * mm, 44 * mm
BOX_Y = CUSTOMER_TOP - BOX_H + 5 * mm
BOX_IN, BOX_RIGHT = BOX_X + 5 * mm, BOX_X + BOX_W - 5 * mm
READING_TOP = TOP - 73 * mm
READING_COLUMNS = (MARGIN, MARGIN + 80 * mm, MARGIN + 118 * mm, RIGHT)  # period, previous, this, usage
TABLES_TOP = TOP - 105 * mm
CHARGES_X, CHARGES_W = MARGIN, 82 * mm
USAGE_X = MARGIN + 92 * mm
USAGE_W = CONTENT_WIDTH - 92 * mm
PAYMENT_TOP = TOP - 175 * mm
PAYMENT_COLUMNS = (MARGIN, MARGIN + 42 * mm, MARGIN + 100 * mm)  # bank, account, holder
NOTES_TOP = TOP - 207 * mm
SLIP_TOP = MARGIN + 41 * mm


def format_m3(value: int | None) -> str:
    return "—" if value is None else f"{value:,} m³"


def format_register(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def format_day(day: date) -> str:
    return pgettext("bill", "%(year)s-%(month)02d-%(day)02d") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def format_long_day(day: date) -> str:
    return pgettext("bill", "%(month)s %(day)s, %(year)s") % {
        "year": day.year,
        "month": MONTHS[day.month],
        "day": day.day,
    }


def format_month(day: date) -> str:
    return pgettext("bill", "%(month)s %(year)s") % {"year": day.year, "month": MONTHS[day.month]}


class BillWriter:
    """Writes bills, one page each, into one PDF (``output``: a path or a binary file)."""

    def __init__(self, output, *, title: str = ""):
        self.fonts: BillFonts = bill_fonts()
        # The Korean font from the start: the default (Helvetica) would be named, unembedded, on every page.
        self.canvas = Canvas(
            output, pagesize=A4, pageCompression=1, invariant=0, initialFontName=self.fonts.regular
        )
        self.canvas.setTitle(title or pgettext("bill", "Water bill"))
        self.canvas.setAuthor(settings.BILL_UTILITY_NAME)
        self.canvas.setCreator("Suido")
        self.pages = 0
        self.chart = UsageChart(self.fonts)
        self._widths: dict[str, _CharWidths] = {}
        self._frames: set[str] = set()

    def add(self, sheet: BillSheet) -> int:
        """Draw one bill; returns the pages it took (always one: long lists are summed, not continued)."""
        months = f"{sheet.history[0][0]:%Y%m}-{sheet.history[-1][0]:%Y%m}" if sheet.history else ""
        frame = f"frame-{int(sheet.final)}-{sheet.period:%Y%m}-{months}"
        if frame not in self._frames:
            self.canvas.beginForm(frame)
            Frame(self, sheet).draw()
            self.canvas.endForm()
            self._frames.add(frame)
        self.canvas.doForm(frame)
        BillPage(self, sheet).draw()
        self.canvas.showPage()
        self.pages += 1
        return 1

    def close(self) -> None:
        self.canvas.save()

    def char_widths(self, font: str) -> _CharWidths:
        widths = self._widths.get(font)
        if widths is None:
            widths = self._widths[font] = _CharWidths(font)
        return widths


def render_bills(sheets: Iterable[BillSheet], *, title: str = "") -> bytes:
    buffer = io.BytesIO()
    writer = BillWriter(buffer, title=title)
    for sheet in sheets:
        writer.add(sheet)
    writer.close()
    return buffer.getvalue()


class _CharWidths(dict):
    """Advance widths of characters at size 1000, measured once per character and file."""

    def __init__(self, font: str):
        super().__init__()
        self.font = font

    def __missing__(self, char):
        width = self[char] = stringWidth(char, self.font, 1000)
        return width

    def width(self, text: str, size: float) -> float:
        return sum(self[char] for char in text) * size / 1000


class UsageChart:
    """The last twelve periods' usage as bars, this bill's period highlighted; built once, refilled per bill.

    The months under the bars are the same on every bill of a month, so the frame draws them
    (:meth:`draw_months`); each bill draws its bars, scale and values (:meth:`draw`).
    """

    WIDTH, HEIGHT = USAGE_W + 4 * mm, 42 * mm
    X, Y = USAGE_X - 4 * mm, TABLES_TOP - 50 * mm

    def __init__(self, fonts: BillFonts):
        self.fonts = fonts
        self.drawing = Drawing(self.WIDTH, self.HEIGHT)
        self.drawing.initialFontName = fonts.regular  # or the renderer names Helvetica (not embedded)
        chart = VerticalBarChart()
        chart.x, chart.y = 24, 14
        chart.width, chart.height = self.WIDTH - 30, self.HEIGHT - 26
        chart.data = [[0] * 12]
        chart.barSpacing = 0
        chart.groupSpacing = 5
        chart.strokeColor = None
        chart.bars.strokeColor = None
        chart.bars[0].fillColor = BAR
        chart.barLabelFormat = None  # values are written by the page, above each bar
        axis = chart.categoryAxis
        axis.visibleLabels = False
        axis.visibleTicks = False
        axis.strokeColor = MUTED
        axis.strokeWidth = 0.6
        values = chart.valueAxis
        values.valueMin = 0
        values.visibleLabels = False  # written by the page beside the grid lines, as the values
        values.visibleAxis = False
        values.visibleTicks = False
        values.gridStrokeColor = RULE
        values.gridStrokeWidth = 0.3
        values.visibleGrid = True
        values.maximumTicks = 4
        self.chart = chart
        self.drawing.add(chart)

    def slot_centres(self, count: int) -> list[float]:
        """The page x of the middle of each bar."""
        chart = self.chart
        slot = chart.width / count
        return [self.X + chart.x + slot * (index + 0.5) for index in range(count)]

    def draw_months(self, page: Frame, sheet: BillSheet) -> None:
        y = self.Y + self.chart.y - 8
        for x, (period, _m3) in zip(self.slot_centres(len(sheet.history)), sheet.history, strict=True):
            page.text(
                x, y, f"{period.year % 100:02d}.{period.month:02d}", size=5.8, color=MUTED, align="center"
            )

    def draw(self, page: BillPage, sheet: BillSheet) -> None:
        chart = self.chart
        values = [m3 for _period, m3 in sheet.history]
        chart.data = [values]
        top = max((v for v in values if v is not None), default=0)
        chart.valueAxis.valueMax = max(5, top * 1.25)
        chart.valueAxis.valueStep = None
        chart.bars[(0, len(values) - 1)].fillColor = BRAND
        renderPDF.draw(self.drawing, page.c, self.X, self.Y)
        # The scale beside the grid lines and the value above each bar, placed by the chart's own axis.
        # (ReportLab's chart labels cost ten times a string each; a bill is drawn in a few milliseconds.)
        scale = chart.valueAxis.scale
        for tick in chart.valueAxis._tickValues:
            page.text(
                self.X + chart.x - 3,
                self.Y + scale(tick) - 2,
                f"{tick:,.0f}",
                size=6,
                color=MUTED,
                align="right",
            )
        last = len(values) - 1
        for index, (x, value) in enumerate(zip(self.slot_centres(len(values)), values, strict=True)):
            if value is not None:
                y = self.Y + scale(value) + 2
                page.text(x, y, f"{value:,}", size=5.8, bold=index == last, color=INK if index == last else MUTED,
                          align="center")  # fmt: skip


class _Page:
    """Drawing helpers shared by the frame and the page: all text goes into one text object."""

    def __init__(self, writer: BillWriter, sheet: BillSheet):
        self.writer, self.c, self.s, self.f = writer, writer.canvas, sheet, writer.fonts
        self.t = self.c.beginText()
        self._font = None
        self._color = None

    def text(self, x, y, value, *, size=9, bold=False, color=INK, align="left"):
        font = self.f.bold if bold else self.f.regular
        if (font, size) != self._font:
            self.t.setFont(font, size)
            self._font = (font, size)
        if color is not self._color:
            self.t.setFillColor(color)
            self._color = color
        if align != "left":
            width = self.writer.char_widths(font).width(value, size)
            x -= width if align == "right" else width / 2
        self.t.setTextOrigin(x, y)
        # Every string is placed by its own origin: the cursor advance textOut measures is not needed.
        self.t._textOut(value)

    def flush(self):
        self.c.drawText(self.t)

    def fit(self, value: str, width: float, size: float, bold=False) -> list[str]:
        """``value`` cut into lines no wider than ``width``: at spaces, or inside a word too long for a line."""
        widths = self.writer.char_widths(self.f.bold if bold else self.f.regular)
        limit = width * 1000 / size
        lines, line, used = [], [], 0.0
        for word in value.split():
            word_width = sum(widths[char] for char in word)
            space = widths[" "] if line else 0.0
            if line and used + space + word_width > limit:
                lines.append("".join(line))
                line, used, space = [], 0.0, 0.0
            if word_width > limit:
                for char in word:
                    if used + widths[char] > limit and line:
                        lines.append("".join(line))
                        line, used = [], 0.0
                    line.append(char)
                    used += widths[char]
                continue
            if space:
                line.append(" ")
            line.append(word)
            used += space + word_width
        if line:
            lines.append("".join(line))
        return lines

    def rule(self, x, y, width, *, color=RULE, line_width=0.4):
        self.c.setStrokeColor(color)
        self.c.setLineWidth(line_width)
        self.c.line(x, y, x + width, y)


class Frame(_Page):
    """What every bill of a month (and kind) has in common, drawn once per file as a form."""

    def draw(self):
        s, c = self.s, self.c
        # Heading
        c.setFillColor(BRAND)
        c.rect(MARGIN, TOP - 3.2 * mm, 5 * mm, 3.2 * mm, stroke=0, fill=1)
        self.text(MARGIN + 7 * mm, TOP - 3 * mm, settings.BILL_UTILITY_NAME, size=10, bold=True, color=BRAND)
        title = pgettext("bill", "Final water bill") if s.final else pgettext("bill", "Water and sewer bill")
        self.text(MARGIN, TOP - 13 * mm, title, size=20, bold=True)
        self.text(RIGHT, TOP - 4 * mm, pgettext("bill", "Bill for %(month)s") % {"month": format_month(s.period)},
                  size=13, bold=True, align="right")  # fmt: skip
        self.rule(MARGIN, HEAD_RULE, CONTENT_WIDTH, color=BRAND, line_width=1.6)

        # Customer
        self.text(LABEL_X, CUSTOMER_TOP, pgettext("bill", "Account number"), size=8.5, color=MUTED)
        for key, label in (
            ("customer", pgettext("bill", "Customer")),
            ("address", pgettext("bill", "Supply address")),
            ("use", pgettext("bill", "Use")),
            ("route", pgettext("bill", "Reading route")),
        ):
            self.text(LABEL_X, CUSTOMER_ROWS[key], label, size=8.5, color=MUTED)

        # The amount due: the largest figure on the page, with its due date.
        c.setFillColor(BRAND_LIGHT)
        c.setStrokeColor(BRAND)
        c.setLineWidth(1)
        c.roundRect(BOX_X, BOX_Y, BOX_W, BOX_H, 2.5 * mm, stroke=1, fill=1)
        self.text(
            BOX_IN, BOX_Y + BOX_H - 8 * mm, pgettext("bill", "Amount due"), size=10, bold=True, color=BRAND
        )
        self.rule(BOX_IN, BOX_Y + 17 * mm, BOX_W - 10 * mm, color=BRAND, line_width=0.4)
        self.text(BOX_IN, BOX_Y + 10 * mm, pgettext("bill", "Due date"), size=10, bold=True, color=BRAND)

        # Sections
        self.section(MARGIN, READING_TOP, pgettext("bill", "Meter reading"), CONTENT_WIDTH)
        y = READING_TOP - 10 * mm
        labels = (
            pgettext("bill", "Usage period"),
            pgettext("bill", "Previous reading"),
            pgettext("bill", "This reading"),
            pgettext("bill", "Usage"),
        )
        for label, x, align in zip(labels, READING_COLUMNS, ("left", "right", "right", "right"), strict=True):
            self.text(x, y, label, size=8.5, color=MUTED, align=align)
        self.rule(MARGIN, y - 10 * mm, CONTENT_WIDTH)
        self.section(CHARGES_X, TABLES_TOP, pgettext("bill", "Charges"), CHARGES_W)
        self.section(USAGE_X, TABLES_TOP, pgettext("bill", "Usage in the last 12 periods (m³)"), USAGE_W)
        self.writer.chart.draw_months(self, s)
        self.section(MARGIN, PAYMENT_TOP, pgettext("bill", "How to pay"), CONTENT_WIDTH)
        y = PAYMENT_TOP - 9.5 * mm
        labels = (
            pgettext("bill", "Bank"),
            pgettext("bill", "Virtual account"),
            pgettext("bill", "Account holder"),
        )
        for label, x in zip(labels, PAYMENT_COLUMNS, strict=True):
            self.text(x, y, label, size=8.5, color=MUTED)

        # The slip below the cut line: what the bank teller or the customer keeps.
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.5)
        c.setDash(3, 2)
        c.line(MARGIN, SLIP_TOP, RIGHT, SLIP_TOP)
        c.setDash()
        self.text(
            PAGE_WIDTH / 2,
            SLIP_TOP + 1.5 * mm,
            pgettext("bill", "cut here"),
            size=6.5,
            color=MUTED,
            align="center",
        )
        y = SLIP_TOP - 8 * mm
        self.text(MARGIN, y, pgettext("bill", "Payment slip"), size=11, bold=True)
        self.text(RIGHT, y, settings.BILL_UTILITY_NAME, size=8.5, color=MUTED, align="right")
        box_top = y - 4 * mm
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.rect(MARGIN, MARGIN, CONTENT_WIDTH, box_top - MARGIN, stroke=1, fill=0)
        half = MARGIN + CONTENT_WIDTH / 2
        c.line(half, MARGIN, half, box_top)
        left = (
            pgettext("bill", "Account number"),
            pgettext("bill", "Customer"),
            pgettext("bill", "Bill for"),
        )
        right = (pgettext("bill", "Amount due"), pgettext("bill", "Due date"), pgettext("bill", "Pay into"))
        for labels, x in ((left, MARGIN), (right, half)):
            for index, label in enumerate(labels):
                self.text(x + 4 * mm, box_top - (7 + 7.5 * index) * mm, label, size=8.5, color=MUTED)
        self.flush()

    def section(self, x, y, title, width):
        self.text(x, y, title, size=10, bold=True, color=BRAND)
        self.rule(x, y - 4, width, color=BRAND, line_width=0.8)


class BillPage(_Page):
    """One bill's own figures on the writer's current page (over the frame)."""

    def draw(self):
        # Graphics first (the chart, the badge), then all the text on top in one text object.
        if self.s.cancelled:
            self.cancelled_mark()
        self.writer.chart.draw(self, self.s)
        self.heading()
        self.customer()
        self.amount()
        self.readings()
        self.charges()
        self.comparison()
        self.payment()
        self.notes()
        self.slip()
        self.flush()

    def cancelled_mark(self):
        """A cancelled bill may still be looked at, never paid: say so across the page."""
        c = self.c
        c.saveState()
        c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        c.rotate(35)
        c.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.16))
        c.setFont(self.f.bold, 64)
        c.drawCentredString(0, 0, pgettext("bill", "CANCELLED"))
        c.restoreState()

    def heading(self):
        s = self.s
        self.text(RIGHT, TOP - 10 * mm, pgettext("bill", "Issued %(date)s") % {"date": format_day(s.issued_on)},
                  size=8.5, color=MUTED, align="right")  # fmt: skip
        self.text(RIGHT, TOP - 14.5 * mm, pgettext("bill", "Bill no. %(number)s") % {"number": s.bill_id},
                  size=8.5, color=MUTED, align="right")  # fmt: skip

    def customer(self):
        s = self.s
        self.text(VALUE_X, CUSTOMER_TOP - 0.5, s.account_number, size=14, bold=True)
        self.text(VALUE_X, CUSTOMER_ROWS["customer"], s.holder, size=9.5)
        address = f"({s.postcode}) {s.address}" if s.postcode else s.address
        for index, line in enumerate(self.fit(address, CUSTOMER_WIDTH, 9)[:2]):
            self.text(VALUE_X, CUSTOMER_ROWS["address"] - index * 4.4 * mm, line, size=9)
        use = s.use_type
        if s.households > 1:
            use += " · " + pgettext("bill", "%(count)s households") % {"count": s.households}
        self.text(VALUE_X, CUSTOMER_ROWS["use"], use, size=9)
        if s.route:
            route = pgettext("bill", "%(route)s, no. %(sequence)s") % {
                "route": s.route,
                "sequence": s.route_sequence,
            }
            self.text(VALUE_X, CUSTOMER_ROWS["route"], route, size=9)
        if s.mailing_address:
            self.text(
                LABEL_X, CUSTOMER_ROWS["mailing"], pgettext("bill", "Bill sent to"), size=8.5, color=MUTED
            )
            lines = self.fit(s.mailing_address, CUSTOMER_WIDTH, 9)[:2]
            for index, line in enumerate(lines):
                self.text(VALUE_X, CUSTOMER_ROWS["mailing"] - index * 4.4 * mm, line, size=9)

    def amount(self):
        s = self.s
        self.text(BOX_RIGHT, BOX_Y + 22 * mm, format_won(s.total), size=24, bold=True, align="right")
        self.text(BOX_RIGHT, BOX_Y + 10 * mm, format_long_day(s.due_on), size=13, bold=True, align="right")
        method = (
            pgettext("bill", "Paid by auto-debit on the due date")
            if s.auto_debit
            else pgettext("bill", "Please pay by the due date")
        )
        self.text(BOX_RIGHT, BOX_Y + 4 * mm, method, size=8, color=MUTED, align="right")

    def readings(self):
        s = self.s
        y = READING_TOP - 16.5 * mm
        period = pgettext("bill", "%(start)s – %(end)s (%(days)s days)") % {
            "start": format_day(s.period_start),
            "end": format_day(s.period_end),
            "days": s.days,
        }
        x_period, x_previous, x_this, x_usage = READING_COLUMNS
        self.text(x_period, y, period, size=10)
        self.text(x_previous, y, format_register(s.previous_value), size=11, align="right")
        self.text(x_this, y, format_register(s.current_value), size=11, bold=True, align="right")
        if s.estimated:
            badge = pgettext("bill", "Estimated")
            width = self.writer.char_widths(self.f.bold).width(badge, 7.5) + 3 * mm
            self.c.setFillColor(WARN_LIGHT)
            self.c.setStrokeColor(WARN)
            self.c.setLineWidth(0.6)
            self.c.roundRect(x_this + 2 * mm, y - 1.6 * mm, width, 5 * mm, 1 * mm, stroke=1, fill=1)
            self.text(x_this + 3.5 * mm, y - 0.2 * mm, badge, size=7.5, bold=True, color=WARN)
        self.text(x_usage, y, format_m3(s.water_m3), size=12, bold=True, align="right")
        extra = []
        if s.sewer_m3 != s.water_m3:
            extra.append(pgettext("bill", "Sewer volume %(m3)s") % {"m3": format_m3(s.sewer_m3)})
        if s.register_difference_differs:
            extra.append(
                pgettext(
                    "bill",
                    "Usage adds up every reading of the period (a meter replaced or a register rolled over).",
                )
            )
        if extra:
            self.text(MARGIN, y - 8 * mm, " · ".join(extra), size=8, color=MUTED)

    def charges(self):
        s = self.s
        x, right = CHARGES_X, CHARGES_X + CHARGES_W
        y = TABLES_TOP - 10 * mm
        for line in s.charges:
            label = line.label
            if line.includes_basic:
                label += " " + pgettext("bill", "(incl. basic charge)")
            self.text(x, y, label, size=9.5)
            self.text(right, y, format_won(line.amount), size=9.5, align="right")
            y -= 6 * mm
        if s.adjustments:
            self.rule(x, y + 3.5 * mm, CHARGES_W)
            self.text(x, y, pgettext("bill", "Charges before adjustments"), size=8.5, color=MUTED)
            self.text(right, y, format_won(s.subtotal), size=8.5, color=MUTED, align="right")
            y -= 6 * mm
            shown = s.adjustments
            if len(shown) > MAX_ADJUSTMENT_LINES:
                shown = shown[: MAX_ADJUSTMENT_LINES - 1]
            for line in shown:
                self.text(x, y, line.kind, size=9.5)
                self.text(right, y, format_won(line.amount), size=9.5, align="right")
                reason = self.fit(line.reason, CHARGES_W - 4 * mm, 7.5)[:1]
                if reason:
                    self.text(x + 3 * mm, y - 3.6 * mm, reason[0], size=7.5, color=MUTED)
                y -= 8.5 * mm
            rest = s.adjustments[len(shown) :]
            if rest:
                self.text(
                    x, y, pgettext("bill", "%(count)s more adjustments") % {"count": len(rest)}, size=9.5
                )
                self.text(right, y, format_won(sum(a.amount for a in rest)), size=9.5, align="right")
                y -= 6 * mm
        self.rule(x, y + 2.5 * mm, CHARGES_W, color=INK, line_width=0.8)
        y -= 3 * mm
        self.text(x, y, pgettext("bill", "Total"), size=11, bold=True)
        self.text(right, y, format_won(s.total), size=11, bold=True, align="right")

    def comparison(self):
        s = self.s
        x, right = USAGE_X, USAGE_X + USAGE_W
        y = UsageChart.Y - 5 * mm
        change = s.change_from_last_year
        if change is None:
            self.text(
                x,
                y,
                pgettext("bill", "No bill of the same month last year to compare with."),
                size=8.5,
                color=MUTED,
            )
            return
        delta, percent = change
        last_year = pgettext("bill", "Same month last year (%(month)s)") % {
            "month": format_month(s.last_year_period)
        }
        self.text(x, y, last_year, size=8.5, color=MUTED)
        self.text(right, y, format_m3(s.last_year_m3), size=9, align="right")
        y -= 5 * mm
        if delta == 0:
            verdict = pgettext("bill", "the same")
        else:
            values = {
                "m3": format_m3(abs(delta)),
                "percent": f"{abs(percent):.1f}" if percent is not None else "",
            }
            if percent is None:
                verdict = (
                    pgettext("bill", "%(m3)s more") if delta > 0 else pgettext("bill", "%(m3)s less")
                ) % values
            else:
                verdict = (
                    pgettext("bill", "%(m3)s (%(percent)s%%) more")
                    if delta > 0
                    else pgettext("bill", "%(m3)s (%(percent)s%%) less")
                ) % values
        self.text(x, y, pgettext("bill", "Change from last year"), size=8.5, color=MUTED)
        self.text(right, y, verdict, size=9.5, bold=True, color=WARN if delta > 0 else BRAND, align="right")

    def payment(self):
        s = self.s
        y = PAYMENT_TOP - 15.5 * mm
        x_bank, x_number, x_holder = PAYMENT_COLUMNS
        for bank, number in s.payment_accounts[:MAX_PAYMENT_ACCOUNTS]:
            self.text(x_bank, y, bank, size=9.5)
            self.text(x_number, y, number, size=10, bold=True)
            self.text(x_holder, y, settings.BILL_UTILITY_NAME, size=9)
            y -= 5.5 * mm
        if s.auto_debit:
            note = pgettext(
                "bill", "This bill is paid by auto-debit from your registered bank account on the due date."
            )
            self.text(RIGHT, PAYMENT_TOP, note, size=8.5, color=BRAND, align="right")

    def notes(self):
        s = self.s
        notes = []
        if s.estimated:
            estimated = pgettext(
                "bill",
                "Your meter could not be read this period: the reading and the usage are estimated from "
                "your usage in the last year. The next actual reading settles the difference.",
            )
            notes.append((True, estimated))
        if s.final:
            notes.append(
                (
                    False,
                    pgettext(
                        "bill", "This is the account's final bill, up to the reading when the service ended."
                    ),
                )
            )
        if s.office:
            contact = f"{s.office} ({s.office_phone})" if s.office_phone else s.office
            notes.append(
                (False, pgettext("bill", "Questions about this bill: %(office)s.") % {"office": contact})
            )
        y = NOTES_TOP
        for warn, note in notes:
            color = WARN if warn else MUTED
            for index, line in enumerate(self.fit(note, CONTENT_WIDTH - 4 * mm, 8.5, bold=warn)):
                if index == 0:
                    self.text(MARGIN, y, "•", size=8.5, color=color)
                self.text(MARGIN + 4 * mm, y, line, size=8.5, bold=warn, color=color)
                y -= 4.2 * mm
            y -= 1 * mm

    def slip(self):
        s = self.s
        top = SLIP_TOP - 12 * mm
        half = MARGIN + CONTENT_WIDTH / 2
        pay_into = f"{s.payment_accounts[0][0]} {s.payment_accounts[0][1]}" if s.payment_accounts else ""
        left = ((s.account_number, True), (s.holder, False), (format_month(s.period), False))
        right = ((format_won(s.total), True), (format_long_day(s.due_on), False), (pay_into, False))
        for values, x in ((left, half), (right, RIGHT)):
            for index, (value, strong) in enumerate(values):
                y = top - (7 + 7.5 * index) * mm
                self.text(x - 4 * mm, y, value, size=11 if strong else 9.5, bold=strong, align="right")
