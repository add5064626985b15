"""What a printed bill says, read for a whole slice of bills in a few queries.

:func:`load_sheets` takes bill ids (a print file's thousand, or one) and returns one
:class:`BillSheet` each, in the order given: one query for the bills with their account,
holder, premise, route and branch office; one for their adjustments; one for the usage
history of all their accounts; one for tariff versions not seen yet. Nothing is read
per bill. Text is resolved in the active language, so call it inside the bill's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.translation import get_language

from core.pii import mask_address, mask_name
from customers.choices import CustomerKind, PaymentMethod, UseType

from ..choices import AdjustmentKind, BillKind, BillStatus
from ..models import Adjustment, Bill, TariffVersion
from ..run.periods import add_months

HISTORY_PERIODS = 12

_BILL_COLUMNS = (
    "id", "period", "kind", "use_type", "period_start", "period_end", "days", "previous_value",
    "current_value", "estimated", "water_m3", "sewer_m3", "households", "tariff_version_id", "charges",
    "subtotal", "adjustments", "total", "issued_on", "due_on", "status", "account_id", "account__number",
    "account__payment_method", "account__bill_delivery", "account__customer__name", "account__customer__kind",
    "account__customer__mailing_address", "account__premise__address_line", "account__premise__postcode",
    "account__premise__route__code", "account__premise__route_sequence",
    "account__premise__route__cycle__months", "account__premise__district__office__name",
    "account__premise__district__office__name_en", "account__premise__district__office__phone",
)  # fmt: skip


@dataclass
class ChargeLine:
    label: str
    amount: int
    includes_basic: bool = False


@dataclass
class AdjustmentLine:
    kind: str  # its label
    reason: str
    amount: int


@dataclass
class BillSheet:
    bill_id: int
    period: date
    final: bool
    cancelled: bool
    use_type: str  # label
    period_start: date
    period_end: date
    days: int
    previous_value: int | None
    current_value: int
    estimated: bool
    water_m3: int
    sewer_m3: int
    households: int
    charges: list[ChargeLine]
    subtotal: int
    adjustments: list[AdjustmentLine]
    adjustments_total: int
    total: int
    issued_on: date
    due_on: date
    account_id: int
    account_number: str  # as printed: 100000001-7
    account_digits: str  # as stored: 1000000017
    auto_debit: bool
    delivery: str  # BillDelivery code: post, email, sms
    holder: str  # masked for a person
    address: str  # the premise supplied
    postcode: str
    mailing_address: str  # where the bill goes when not to the premise (may be masked)
    route: str
    route_sequence: int
    office: str
    office_phone: str
    payment_accounts: list[tuple[str, str]] = field(default_factory=list)  # (bank, number)
    # (billing month, m³ or None when not billed), oldest first, this bill's month last.
    history: list[tuple[date, int | None]] = field(default_factory=list)
    last_year_m3: int | None = None

    @property
    def register_difference_differs(self) -> bool:
        """Usage is not the difference of the two registers (a meter replaced, a register rolled over)."""
        return self.previous_value is not None and self.current_value - self.previous_value != self.water_m3

    @property
    def last_year_period(self) -> date:
        return add_months(self.period, -12)

    @property
    def change_from_last_year(self) -> tuple[int, float | None] | None:
        """(m³ more or fewer than the same month last year, percent of it or None when that was 0)."""
        if self.last_year_m3 is None:
            return None
        delta = self.water_m3 - self.last_year_m3
        return delta, (delta * 100 / self.last_year_m3 if self.last_year_m3 else None)


class SheetContext:
    """What the sheets of one batch share: tariff labels, read once per version and language."""

    def __init__(self, *, mask_mailing_address: bool = True):
        self.mask_mailing_address = mask_mailing_address
        self._versions: dict[tuple[int, str], dict[str, tuple[str, set[str]]]] = {}

    def charge_labels(self, version_ids: set[int]) -> dict[int, dict[str, tuple[str, set[str]]]]:
        """Per version: component code → (label in the active language, use types with a basic charge)."""
        language = get_language() or "ko"
        missing = {pk for pk in version_ids if (pk, language) not in self._versions}
        if missing:
            english = language.startswith("en")
            for version in TariffVersion.objects.filter(id__in=missing):
                labels = {}
                for component in version.parsed_rules.components:
                    with_basic = {use for use, s in component.schedules.items() if s.basic_by_diameter}
                    labels[component.code] = (component.label_en if english else component.label, with_basic)
                self._versions[(version.pk, language)] = labels
        return {pk: self._versions[(pk, language)] for pk in version_ids}


def load_sheets(bill_ids: Sequence[int], context: SheetContext | None = None) -> list[BillSheet]:
    """The sheets of ``bill_ids``, in that order."""
    context = context or SheetContext()
    if not bill_ids:
        return []
    rows = {row[0]: row for row in Bill.objects.filter(id__in_ids=bill_ids).values_list(*_BILL_COLUMNS)}
    rows = [rows[pk] for pk in bill_ids if pk in rows]
    col = {name: index for index, name in enumerate(_BILL_COLUMNS)}

    adjustments: dict[int, list[AdjustmentLine]] = defaultdict(list)
    kinds = dict(AdjustmentKind.choices)
    for bill_id, kind, reason, amount in (
        Adjustment.objects.filter(bill_id__in_ids=bill_ids)
        .order_by("bill_id", "created_at", "id")
        .values_list("bill_id", "kind", "reason", "amount")
    ):
        adjustments[bill_id].append(AdjustmentLine(str(kinds.get(kind, kind)), reason, amount))

    history = _history(rows, col)
    labels = context.charge_labels({row[col["tariff_version_id"]] for row in rows})
    use_types = {value: str(label) for value, label in UseType.choices}
    sheets = []
    for row in rows:

        def get(name, row=row):
            return row[col[name]]

        use_type = get("use_type")
        version_labels = labels[get("tariff_version_id")]
        charges = []
        for code, amount in get("charges"):
            label, with_basic = version_labels.get(code, (code, set()))
            charges.append(ChargeLine(label, amount, use_type in with_basic))
        name = get("account__customer__name")
        if get("account__customer__kind") != CustomerKind.ORGANISATION:
            name = mask_name(name)
        mailing = get("account__customer__mailing_address") or ""
        if mailing and context.mask_mailing_address:
            mailing = mask_address(mailing)
        number = get("account__number")
        months = get("account__premise__route__cycle__months") or 1
        usage = history.get(get("account_id"), {})
        period = get("period")
        slots = [add_months(period, -months * k) for k in range(HISTORY_PERIODS - 1, -1, -1)]
        english = (get_language() or "ko").startswith("en")
        office = get("account__premise__district__office__name")
        if english and get("account__premise__district__office__name_en"):
            office = get("account__premise__district__office__name_en")
        sheets.append(
            BillSheet(
                bill_id=get("id"),
                period=period,
                final=get("kind") == BillKind.FINAL,
                cancelled=get("status") == BillStatus.CANCELLED,
                use_type=use_types.get(use_type, use_type),
                period_start=get("period_start"),
                period_end=get("period_end"),
                days=get("days"),
                previous_value=get("previous_value"),
                current_value=get("current_value"),
                estimated=get("estimated"),
                water_m3=get("water_m3"),
                sewer_m3=get("sewer_m3"),
                households=get("households"),
                charges=charges,
                subtotal=get("subtotal"),
                adjustments=adjustments.get(get("id"), []),
                adjustments_total=get("adjustments"),
                total=get("total"),
                issued_on=get("issued_on"),
                due_on=get("due_on"),
                account_id=get("account_id"),
                account_number=f"{number[:-1]}-{number[-1]}",
                account_digits=number,
                auto_debit=get("account__payment_method") == PaymentMethod.AUTO_DEBIT,
                delivery=get("account__bill_delivery"),
                holder=name,
                address=get("account__premise__address_line"),
                postcode=get("account__premise__postcode"),
                mailing_address=mailing,
                route=get("account__premise__route__code") or "",
                route_sequence=get("account__premise__route_sequence") or 0,
                office=office or "",
                office_phone=get("account__premise__district__office__phone") or "",
                payment_accounts=[
                    (bank, template.replace("{account}", number))
                    for bank, template in settings.BILL_PAYMENT_ACCOUNTS
                ],
                history=[(slot, usage.get(slot)) for slot in slots],
                last_year_m3=usage.get(add_months(period, -12)),
            )
        )
    return sheets


def _history(rows, col) -> dict[int, dict[date, int]]:
    """Each account's billed m³ by month over the last twelve periods (two years for bimonthly cycles)."""
    if not rows:
        return {}
    periods = [row[col["period"]] for row in rows]
    longest = max((row[col["account__premise__route__cycle__months"]] or 1) for row in rows)
    since = add_months(min(periods), -max(12, HISTORY_PERIODS * longest))
    usage: dict[int, dict[date, int]] = defaultdict(dict)
    for account_id, period, m3 in Bill.objects.filter(
        account_id__in_ids={row[col["account_id"]] for row in rows},
        status=BillStatus.ISSUED,
        period__gte=since,
        period__lte=max(periods),
    ).values_list("account_id", "period", "water_m3"):
        usage[account_id][period] = m3
    return usage
