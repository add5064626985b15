"""The counter's receipt (영수증): an 80 mm roll receipt as a PDF, in the utility's language.

The receipt says what it said when the money was taken (the bills paid and the balance
after are kept on the receipt), so a reprint matches the original; a reprint is marked
with its copy number, and every print is an audit event on the household's timeline.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from billing.documents.fonts import BillFonts, bill_fonts
from core.audit import record_event
from core.money import format_won

from .choices import CounterMeans, PaymentStatus
from .counter_events import RECEIPT_PRINTED
from .models import CounterReceipt

WIDTH = 80 * mm
MARGIN = 5 * mm
INNER = WIDTH - 2 * MARGIN
INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6570")
WARN = colors.HexColor("#b45309")


@transaction.atomic
def print_receipt(receipt: CounterReceipt, *, acting_user) -> bytes:
    """The receipt as a PDF, counted and logged: the first print is the original, the next ones copies.

    Raises :class:`~billing.documents.fonts.BillFontMissing` (before counting) when the font is not installed.
    """
    bill_fonts()
    CounterReceipt.objects.filter(pk=receipt.pk).update(prints=F("prints") + 1)
    receipt.refresh_from_db(fields=["prints"])
    payment = receipt.payment
    record_event(
        RECEIPT_PRINTED,
        actor=acting_user,
        subject=payment,
        household_id=payment.account.premise_id,
        details={
            "receipt": receipt.number,
            "amount": payment.amount,
            "account": payment.account.display_number,
            "copy": receipt.prints,
        },
    )
    return receipt_pdf(receipt, copy=receipt.prints)


def receipt_filename(receipt: CounterReceipt) -> str:
    return f"receipt-{receipt.number}.pdf"


@dataclass
class _Row:
    kind: str  # title, centre, pair, amount, rule, small, warn
    left: str = ""
    right: str = ""
    height: float = 5 * mm


def receipt_pdf(receipt: CounterReceipt, *, copy: int = 1) -> bytes:
    """Draw the receipt (``copy`` > 1: marked as a reprint) in ``BILL_LANGUAGE``."""
    fonts = bill_fonts()
    with translation.override(settings.BILL_LANGUAGE):
        rows = _rows(receipt, copy, fonts)
        title = pgettext("receipt", "Receipt %(number)s") % {"number": receipt.number}
    height = sum(row.height for row in rows) + 2 * MARGIN
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, height), pageCompression=1, initialFontName=fonts.regular)
    canvas.setTitle(title)
    canvas.setAuthor(settings.BILL_UTILITY_NAME)
    canvas.setCreator("Suido")
    y = height - MARGIN
    for row in rows:
        y -= row.height
        _draw(canvas, fonts, row, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rows(receipt: CounterReceipt, copy: int, fonts: BillFonts) -> list[_Row]:
    payment = receipt.payment
    received = timezone.localtime(payment.received_at)
    rows = [_Row("title", settings.BILL_UTILITY_NAME, height=7 * mm)]
    if receipt.office_id:
        office = receipt.office
        rows += _wrapped("centre", office.display_name, fonts.regular, 8)
        if office.phone:
            rows.append(_Row("centre", office.phone, height=4 * mm))
    rows.append(_Row("title", pgettext("receipt", "Receipt for water charges"), height=9 * mm))
    if copy > 1:
        rows.append(
            _Row("warn", pgettext("receipt", "Reprint — copy %(copy)s") % {"copy": copy}, height=5 * mm)
        )
    if payment.status == PaymentStatus.REVERSED:
        rows.append(
            _Row(
                "warn",
                pgettext("receipt", "Payment reversed on %(day)s")
                % {"day": f"{timezone.localdate(payment.reversed_at):%Y-%m-%d}"},
                height=5 * mm,
            )
        )
    rows += [
        _Row("rule", height=3 * mm),
        _Row("pair", pgettext("receipt", "Receipt no."), receipt.number),
        _Row("pair", pgettext("receipt", "Received"), f"{received:%Y-%m-%d %H:%M}"),
        _Row("pair", pgettext("receipt", "Account"), payment.account.display_number),
        _Row("pair", pgettext("receipt", "Holder"), receipt.holder),
        _Row("rule", height=3 * mm),
        _Row("amount", pgettext("receipt", "Amount received"), format_won(payment.amount), height=9 * mm),
        _Row("pair", pgettext("receipt", "Paid by"), _means(receipt)),
    ]
    if receipt.card_approval:
        rows.append(_Row("pair", pgettext("receipt", "Card approval no."), receipt.card_approval))
    rows.append(_Row("rule", height=3 * mm))
    if receipt.paid_bills:
        rows.append(_Row("small", pgettext("receipt", "Bills paid"), height=5 * mm))
        for line in receipt.paid_bills:
            year, month = line["month"].split("-")
            label = pgettext("receipt", "Bill of %(year)s-%(month)s") % {"year": year, "month": month}
            rows.append(_Row("pair", label, format_won(line["amount"])))
    else:
        rows.append(
            _Row(
                "small", pgettext("receipt", "No bill was owed: all of it is kept as credit."), height=5 * mm
            )
        )
    kept = payment.amount - sum(line["amount"] for line in receipt.paid_bills)
    if kept:
        rows.append(_Row("pair", pgettext("receipt", "Kept as credit"), format_won(kept)))
    rows += [
        _Row("rule", height=3 * mm),
        _Row("pair", pgettext("receipt", "Still owed after this payment"), format_won(receipt.owed_after)),
    ]
    if receipt.credit_after:
        rows.append(
            _Row("pair", pgettext("receipt", "Credit for the next bills"), format_won(receipt.credit_after))
        )
    clerk = receipt.taken_by.full_name or receipt.taken_by.username
    rows += [
        _Row("pair", pgettext("receipt", "Clerk"), clerk),
        _Row("rule", height=3 * mm),
        *_wrapped(
            "small",
            pgettext("receipt", "Thank you. Keep this receipt as proof of payment."),
            fonts.regular,
            7,
        ),
    ]
    return rows


def _means(receipt: CounterReceipt) -> str:
    if receipt.means == CounterMeans.CARD:
        return pgettext("receipt", "Card")
    return pgettext("receipt", "Cash")


def _wrapped(kind: str, text: str, font: str, size: float) -> list[_Row]:
    return [
        _Row(kind, line, height=size * 0.5 * mm + 1 * mm) for line in simpleSplit(text, font, size, INNER)
    ]


def _draw(canvas: Canvas, fonts: BillFonts, row: _Row, y: float) -> None:
    centre, right = WIDTH / 2, WIDTH - MARGIN
    if row.kind == "title":
        canvas.setFont(fonts.bold, 11)
        canvas.setFillColor(INK)
        canvas.drawCentredString(centre, y + 2 * mm, row.left)
    elif row.kind == "centre":
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(centre, y + 1 * mm, row.left)
    elif row.kind == "warn":
        canvas.setFont(fonts.bold, 9)
        canvas.setFillColor(WARN)
        canvas.drawCentredString(centre, y + 1.5 * mm, row.left)
    elif row.kind == "rule":
        canvas.setStrokeColor(MUTED)
        canvas.setDash(1, 2)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 1.5 * mm, right, y + 1.5 * mm)
    elif row.kind == "amount":
        canvas.setFillColor(INK)
        canvas.setFont(fonts.bold, 9)
        canvas.drawString(MARGIN, y + 2.5 * mm, row.left)
        canvas.setFont(fonts.bold, 14)
        canvas.drawRightString(right, y + 2.5 * mm, row.right)
    elif row.kind == "small":
        canvas.setFont(fonts.regular, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, y + 1.5 * mm, row.left)
    else:  # pair
        canvas.setFillColor(MUTED)
        canvas.setFont(fonts.regular, 8)
        canvas.drawString(MARGIN, y + 1.5 * mm, row.left)
        canvas.setFillColor(INK)
        canvas.setFont(fonts.bold, 8.5)
        canvas.drawRightString(right, y + 1.5 * mm, row.right)
