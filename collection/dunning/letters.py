"""The dunning letters: one A4 page per step (reminder, disconnection notice, disconnection order), as PDF.

Written in the utility's language (``BILL_LANGUAGE``) with the bills' Korean font, from what
the step recorded when it was taken (the bills overdue then, the amount, the deadline), so a
letter printed again later says what was sent. A protected household's reminder says nothing
of disconnection; it offers an installment plan and help instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from billing.documents.fonts import bill_fonts
from core.pii import mask_address, mask_name
from customers.choices import CustomerKind

from ..choices import DunningStage
from ..models import DunningStep
from .notices import contact_line, payment_accounts

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6570")
RULE = colors.HexColor("#c9d3dd")
BRAND = colors.HexColor("#0b4f8a")
BRAND_LIGHT = colors.HexColor("#eaf2fa")
WARN = colors.HexColor("#b45309")
WARN_LIGHT = colors.HexColor("#fff4e0")
MARGIN = 15 * mm


def _title(stage: str) -> str:
    return {
        DunningStage.REMINDER: _("Reminder of unpaid water charges"),
        DunningStage.NOTICE: _("Notice of water supply suspension"),
        DunningStage.DISCONNECTION: _("Water supply suspension for arrears"),
    }[stage]


def _day(day: date) -> str:
    return _("%(year)s-%(month)02d-%(day)02d") % {"year": day.year, "month": day.month, "day": day.day}


def _won(amount: int) -> str:
    return _("%(amount)s won") % {"amount": f"{amount:,}"}


class _Styles:
    def __init__(self):
        fonts = bill_fonts()
        self.regular, self.bold = fonts.regular, fonts.bold
        self.body = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=15, textColor=INK)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=12, textColor=MUTED)
        self.small_right = ParagraphStyle("small_right", parent=self.small, alignment=TA_RIGHT)
        self.issuer = ParagraphStyle("issuer", parent=self.body, fontName=fonts.bold, textColor=BRAND)
        self.title = ParagraphStyle("title", parent=self.body, fontName=fonts.bold, fontSize=18, leading=24)
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=fonts.bold, fontSize=11, leading=16
        )
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)
        self.strong = ParagraphStyle("strong", parent=self.body, fontName=fonts.bold)


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text), style)


def _letter(step: DunningStep, s: _Styles) -> list:
    account = step.account
    customer = account.customer
    premise = account.premise
    office = premise.district.office
    holder = customer.name if customer.kind == CustomerKind.ORGANISATION else mask_name(customer.name)
    threatening = step.stage != DunningStage.REMINDER and not step.protected
    parts: list = []
    parts.append(
        Table(
            [
                [
                    _p(settings.BILL_UTILITY_NAME, s.issuer),
                    _p(_("No. D-%(number)s") % {"number": step.pk}, s.right),
                ]
            ],
            colWidths=[120 * mm, 60 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        )
    )
    parts += [Spacer(0, 3 * mm), _p(_title(step.stage), s.title), Spacer(0, 1 * mm)]
    parts.append(_p(_("Sent on %(day)s") % {"day": _day(step.on)}, s.small))
    parts.append(Spacer(0, 5 * mm))
    rows = [
        [_p(_("Account"), s.small), _p(account.display_number, s.strong)],
        [_p(_("Holder"), s.small), _p(holder, s.body)],
        [_p(_("Supply address"), s.small), _p(premise.address_line, s.body)],
    ]
    if customer.mailing_address:
        rows.append([_p(_("Mailing address"), s.small), _p(mask_address(customer.mailing_address), s.body)])
    parts.append(
        Table(
            rows,
            colWidths=[32 * mm, 148 * mm],
            style=[
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ],
        )
    )
    parts.append(Spacer(0, 5 * mm))
    intro = {
        DunningStage.REMINDER: _(
            "Our records show that the water charges below were not paid by their due date. If you have paid "
            "in the last few days, thank you, and please disregard this letter."
        ),
        DunningStage.NOTICE: _(
            "The water charges below are still unpaid although we sent you a reminder. Under the water supply "
            "ordinance, the water supply of a customer who does not pay may be suspended."
        ),
        DunningStage.DISCONNECTION: _(
            "The water charges below were not paid by the deadline of our notice of suspension. The water "
            "supply at the address above is therefore being suspended under the water supply ordinance."
        ),
    }[step.stage]
    parts += [_p(intro, s.body), Spacer(0, 4 * mm)]
    bill_rows = [[_p(_("Billing month"), s.small), _p(_("Due date"), s.small), _p(_("Owed"), s.small_right)]]
    for _bill_id, period, due_on, owed in step.bills:
        month = date.fromisoformat(period)
        bill_rows.append(
            [
                _p(_("%(year)s-%(month)02d") % {"year": month.year, "month": month.month}, s.body),
                _p(_day(date.fromisoformat(due_on)), s.body),
                _p(_won(owed), s.right),
            ]
        )
    bill_rows.append(
        [_p(_("Total overdue (late fees included)"), s.strong), "", _p(_won(step.owed), s.right)]
    )
    parts.append(
        Table(
            bill_rows,
            colWidths=[60 * mm, 60 * mm, 60 * mm],
            repeatRows=1,
            style=[
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("SPAN", (0, -1), (1, -1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ],
        )
    )
    parts.append(Spacer(0, 5 * mm))
    if step.stage == DunningStage.DISCONNECTION:
        box = _(
            "Please pay %(amount)s. Once the payment reaches us, the water is turned back on within the "
            "working day, without your having to ask."
        ) % {"amount": _won(step.owed)}
    else:
        box = _("Please pay %(amount)s by %(deadline)s.") % {
            "amount": _won(step.owed),
            "deadline": _day(step.deadline or step.on),
        }
        if threatening:
            box += " " + _(
                "If it is not paid by then, the water supply will be suspended without further notice."
            )
    parts.append(
        Table(
            [[_p(box, s.heading)]],
            colWidths=[180 * mm],
            style=[
                ("BACKGROUND", (0, 0), (-1, -1), WARN_LIGHT if threatening else BRAND_LIGHT),
                ("BOX", (0, 0), (-1, -1), 0.8, WARN if threatening else BRAND),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
            ],
        )
    )
    parts.append(Spacer(0, 5 * mm))
    if step.protected:
        parts += [
            _p(
                _(
                    "Your household is registered with us for protection: your water supply will not be "
                    "suspended. If paying is difficult, call us — we can split the amount into installments "
                    "and tell you about the support available."
                ),
                s.body,
            ),
            Spacer(0, 4 * mm),
        ]
    elif threatening:
        parts += [
            _p(
                _(
                    "If someone in your household depends on water for medical reasons (home dialysis, for "
                    "instance), or your household receives basic livelihood benefits, tell us at once: such "
                    "households are not disconnected."
                ),
                s.body,
            ),
            Spacer(0, 3 * mm),
        ]
    if not step.protected and step.stage != DunningStage.DISCONNECTION:
        parts += [
            _p(
                _(
                    "If you cannot pay the whole amount at once, call us before the date above to agree a plan "
                    "of installments; while you keep to it, your water supply is not suspended."
                ),
                s.body,
            ),
            Spacer(0, 4 * mm),
        ]
    pay_rows = [
        [
            _p(_("Bank"), s.small),
            _p(pgettext("bank account", "Account number"), s.small),
            _p(pgettext("bank account", "Account holder"), s.small),
        ]
    ]
    for bank, number in payment_accounts(account.number):
        pay_rows.append([_p(bank, s.body), _p(number, s.strong), _p(settings.BILL_UTILITY_NAME, s.body)])
    parts.append(
        KeepTogether(
            [
                _p(_("How to pay"), s.heading),
                Spacer(0, 1 * mm),
                Table(
                    pay_rows,
                    colWidths=[45 * mm, 70 * mm, 65 * mm],
                    style=[("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
                ),
                Spacer(0, 1 * mm),
                _p(
                    _(
                        "The account numbers above are yours alone: a transfer to them is credited to this account "
                        "automatically. You can also pay at any branch office counter (cash or card) or online."
                    ),
                    s.small,
                ),
            ]
        )
    )
    parts += [Spacer(0, 5 * mm), _p(_("Questions"), s.heading), Spacer(0, 1 * mm)]
    parts.append(
        _p(
            _("Call %(contact)s, on working days from 9:00 to 18:00.") % {"contact": contact_line(office)},
            s.body,
        )
    )
    if office is not None and office.address:
        parts.append(_p(_("Branch office: %(address)s") % {"address": office.address}, s.small))
    parts += [
        Spacer(0, 8 * mm),
        _p(
            _("Under the water supply ordinance of %(utility)s. Reference D-%(number)s, account %(account)s.")
            % {"utility": settings.BILL_UTILITY_NAME, "number": step.pk, "account": account.number},
            s.small,
        ),
    ]
    return parts


def letters_pdf(steps: Iterable[DunningStep], *, title: str = "") -> bytes:
    """The letters of these steps, one page each, in the utility's language."""
    steps = list(steps)
    buffer = io.BytesIO()
    with translation.override(settings.BILL_LANGUAGE):
        styles = _Styles()
        document = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=title or _("Dunning letters"),
            author=settings.BILL_UTILITY_NAME,
            creator="Suido",
        )
        # No padding inside the frame: the tables' 180 mm are then exactly the text's width.
        frame = Frame(MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, 0, 0, 0, 0, id="letter")
        document.addPageTemplates([PageTemplate(id="letter", frames=[frame])])
        story: list = []
        for index, step in enumerate(steps):
            if index:
                story.append(PageBreak())
            story += _letter(step, styles)
        if not story:
            story.append(_p(_("No letters."), styles.body))
        document.build(story)
    return buffer.getvalue()


def letter_steps():
    """What a letter reads, in a fixed number of queries."""
    return DunningStep.objects.select_related(
        "account__customer", "account__premise__district__office"
    ).order_by("account__premise__district__office__code", "account__premise__route__code", "account__number")
