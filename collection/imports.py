"""Payments by the thousand: the set-based recorder, and the banks' deposit files (docs/import-formats.md).

``record_payments`` records many payments at once, with the rules ``record_payment``
applies to one: a source's reference is recorded once (the same again is "already on
record"; the same reference with another amount is refused), a payment without an
account waits in suspense, and the accounts paid are settled in one go — a bank file of
the whole city paying is a few queries, one COPY and one settlement.

``import_deposits`` reads a bank's deposit file (bank transfers and deposits into the
customers' virtual accounts), matches each deposit to an account by its virtual account
or the account number the payer wrote, and records it. Every row ends in one place:
posted, in suspense, already on record, or rejected with a reason in the file's
rejection report. A file imported twice is recognised by its content and changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.audit import record_event, user_or_none
from core.bulk import ANALYZE_AFTER_ROWS, insert_columns, refresh_statistics, reserve_ids
from core.sequences import is_valid_check_digit
from core.uploads import check_header
from customers.models import Account
from metering.imports import decode

from . import events
from .choices import PaymentFileKind, PaymentSource, PaymentStatus
from .ledger import Incoming, settle
from .models import Payment, PaymentFile, PaymentFileRejection

# Lookups of many keys go this many at a time (one query each, on a unique index).
LOOKUP_BATCH = 20_000
# The most one payment may be: more is a misplaced decimal or a corrupt line, not a water bill.
LARGEST_PAYMENT = 10_000_000_000
# A deposit older than this is not a bank's daily file; it is refused rather than settled
# against bills issued long after it.
OLDEST_DEPOSIT_DAYS = 400


@dataclass
class IncomingPayment:
    line: int  # line in the file (for the rejection report)
    raw: str  # the row as received
    source: str  # PaymentSource
    reference: str  # the source's own reference: unique per source
    amount: int
    received_at: datetime
    account_id: int | None  # None: it waits in suspense
    stated_account: str = ""
    payer: str = ""


@dataclass
class RecordedRows:
    posted: int = 0
    suspense: int = 0
    already: int = 0
    amount: int = 0  # won newly recorded
    allocated: int = 0  # won that paid bills (new payments and credit they joined)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw, reason)
    account_ids: list[int] = field(default_factory=list)  # the accounts paid


def record_payments(
    rows: list[IncomingPayment], *, file: PaymentFile | None, acting_user, now: datetime | None = None
) -> RecordedRows:
    """Record the rows as payments and settle the accounts paid, inside the caller's transaction."""
    now = now or timezone.now()
    out = RecordedRows()
    first_line: dict[tuple[str, str], int] = {}
    unique = []
    for row in rows:
        key = (row.source, row.reference)
        if key in first_line:
            out.rejected.append(
                (
                    row.line,
                    row.raw,
                    _("Reference %(reference)s is already on line %(line)s of this file.")
                    % {"reference": row.reference, "line": first_line[key]},
                )
            )
            continue
        first_line[key] = row.line
        unique.append(row)

    on_record = _amounts_on_record(unique)
    new = []
    for row in unique:
        recorded = on_record.get((row.source, row.reference))
        if recorded is None:
            new.append(row)
        elif recorded == row.amount:
            out.already += 1
        else:
            out.rejected.append(
                (
                    row.line,
                    row.raw,
                    _("Payment %(reference)s is on record with %(recorded)s won, not %(amount)s won.")
                    % {"reference": row.reference, "recorded": f"{recorded:,}", "amount": f"{row.amount:,}"},
                )
            )
    if not new:
        return out

    account_ids = sorted({row.account_id for row in new if row.account_id is not None})
    ids = reserve_ids(Payment, len(new))
    # What the new payments pay is worked out before they are written, so each is written once.
    # settle locks their accounts first (the order record_payment keeps too): a counter payment on
    # one of them while the file is recorded waits for the file, then sees its payments.
    settled = settle(
        account_ids,
        now=now,
        incoming=[
            Incoming(row.account_id, pk, row.amount, row.received_at)
            for pk, row in zip(ids, new, strict=True)
            if row.account_id is not None
        ],
    )
    user = user_or_none(acting_user)
    insert_columns(
        Payment,
        [
            "id", "account", "source", "reference", "amount", "allocated", "status", "received_at",
            "payer", "stated_account", "note", "file", "recorded_by", "recorded_at", "reversal_reason",
        ],
        [
            ids,
            [row.account_id for row in new],
            [row.source for row in new],
            [row.reference for row in new],
            [row.amount for row in new],
            [settled.incoming_allocated.get(pk, 0) for pk in ids],
            [PaymentStatus.POSTED if row.account_id is not None else PaymentStatus.SUSPENSE for row in new],
            [row.received_at for row in new],
            [row.payer[:100] for row in new],
            [row.stated_account[:40] for row in new],
            [""] * len(new),
            [file.pk if file else None] * len(new),
            [user.pk if user else None] * len(new),
            [now] * len(new),
            [""] * len(new),
        ],
    )  # fmt: skip
    if len(new) >= ANALYZE_AFTER_ROWS:
        refresh_statistics(Payment)
    out.suspense = sum(1 for row in new if row.account_id is None)
    out.posted = len(new) - out.suspense
    out.amount = sum(row.amount for row in new)
    out.account_ids = account_ids
    out.allocated = settled.allocated
    return out


def _amounts_on_record(rows: list[IncomingPayment]) -> dict[tuple[str, str], int]:
    """The amounts of the rows' (source, reference) pairs that are already recorded."""
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row.reference)
    found = {}
    for source, references in by_source.items():
        for reference, amount in _lookup(Payment, "reference", references, "amount", source=source):
            found[(source, reference)] = amount
    return found


def _lookup(model, key: str, values: list[str], wanted: str, **equal) -> list[tuple]:
    """(key, wanted) of the rows whose ``key`` is one of ``values`` (and whose other columns equal ``equal``).

    On PostgreSQL one array parameter per 200,000 values (``= ANY``): a query with tens of
    thousands of separate parameters spends longer binding them than finding the rows.
    """
    found = []
    if connection.vendor != "postgresql":
        for start in range(0, len(values), LOOKUP_BATCH):
            batch = values[start : start + LOOKUP_BATCH]
            found.extend(model.objects.filter(**{f"{key}__in": batch}, **equal).values_list(key, wanted))
        return found
    table = connection.ops.quote_name(model._meta.db_table)
    columns = {
        name: connection.ops.quote_name(model._meta.get_field(name).column) for name in [key, wanted, *equal]
    }
    where = "".join(f" AND {columns[name]} = %s" for name in equal)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 10 * LOOKUP_BATCH):
            cursor.execute(
                f"SELECT {columns[key]}, {columns[wanted]} FROM {table} WHERE {columns[key]} = ANY(%s){where}",
                [values[start : start + 10 * LOOKUP_BATCH], *equal.values()],
            )
            found.extend(cursor.fetchall())
    return found


# --- Virtual accounts --------------------------------------------------------------------------


def _virtual_account_patterns() -> list[re.Pattern]:
    """settings.BILL_PAYMENT_ACCOUNTS with "{account}", as digit patterns capturing the account number.

    "2770-{account}" is the number printed on the bill for account 1000000017 as
    2770-1000000017; a bank's file may write it with or without the hyphens.
    """
    patterns = []
    for _bank, template in settings.BILL_PAYMENT_ACCOUNTS:
        if "{account}" not in template:
            continue
        before, _sep, after = template.partition("{account}")
        digits = (re.sub(r"\D", "", before), re.sub(r"\D", "", after))
        patterns.append(re.compile(rf"{digits[0]}(\d{{10}}){digits[1]}"))
    return patterns


def account_number_of_virtual_account(number: str, patterns: list[re.Pattern] | None = None) -> str | None:
    """The account number a virtual account was issued for, or None if it is not one of ours."""
    digits = re.sub(r"[\s-]", "", number)
    for pattern in patterns if patterns is not None else _virtual_account_patterns():
        match = pattern.fullmatch(digits)
        if match and is_valid_check_digit(match.group(1)):
            return match.group(1)
    return None


def account_number_as_written(text: str) -> str | None:
    """An account number as a payer writes it in a transfer's memo (100000001-7, 1000000017), or None."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if len(digits) == 10 and is_valid_check_digit(digits) else None


# --- Bank deposit files ------------------------------------------------------------------------

DEPOSIT_COLUMNS = ("bank", "transaction", "deposited_at", "amount", "virtual_account", "account", "payer")
DEPOSIT_REQUIRED = ("bank", "transaction", "deposited_at", "amount")


@dataclass
class PaymentFileOutcome:
    source: PaymentFile
    repeated: bool = False  # the same file was imported before; nothing changed
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ReadPaymentFile:
    digest: str
    earlier: PaymentFile | None  # the same file, imported before: nothing else was read
    rows: list = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    parse: object = None  # the parser the rows went through (what it learnt on the way)


def read_payment_file(
    content: bytes, *, columns, required, parser, now: datetime, nothing: str
) -> ReadPaymentFile:
    """What every bank file goes through first, inside the import's transaction: its size, whether the
    same file came before (then nothing else), its header, and each line through ``parser(header, now)``
    (a row, or (line, raw, reason)). A file that cannot be read as one is refused whole."""
    if len(content) > settings.PAYMENT_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(max)s MB; split it.")
            % {"max": settings.PAYMENT_FILE_MAX_BYTES // 2**20}
        )
    digest = hashlib.sha256(content).hexdigest()
    one_payment_file_at_a_time()
    earlier = PaymentFile.objects.filter(sha256=digest).first()
    if earlier is not None:
        return ReadPaymentFile(digest, earlier)
    reader = csv.reader(io.StringIO(decode(content)))
    header = [column.strip().lower() for column in next(reader, [])]
    check_header(header, columns, required)
    read = ReadPaymentFile(digest, None)
    read.parse = parse = parser(header, now)
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue  # blank line
        parsed = parse(line, values)
        (read.rejected if isinstance(parsed, tuple) else read.rows).append(parsed)
    if not read.rows and not read.rejected:
        raise ValidationError(nothing)
    return read


@transaction.atomic
def import_deposits(
    name: str, content: bytes, *, acting_user, now: datetime | None = None
) -> PaymentFileOutcome:
    """Import one bank deposit file; refuses the whole file only when it cannot be read as one."""
    now = now or timezone.now()
    read = read_payment_file(content, columns=DEPOSIT_COLUMNS, required=DEPOSIT_REQUIRED, parser=_DepositParser,
                             now=now, nothing=_("The file has a header but no deposits."))  # fmt: skip
    if read.earlier is not None:
        return PaymentFileOutcome(source=read.earlier, repeated=True)
    rows, rejected, digest, parse = read.rows, read.rejected, read.digest, read.parse
    _match_accounts(rows, parse.numbers)

    source = PaymentFile.objects.create(kind=PaymentFileKind.DEPOSITS, name=name[:200], sha256=digest,
                                        uploaded_by=user_or_none(acting_user))  # fmt: skip
    recorded = record_payments(rows, file=source, acting_user=acting_user, now=now)
    return finish_payment_file(source, recorded, rejected, acting_user=acting_user)


def one_payment_file_at_a_time() -> None:
    """Two payment files at once would race for the same references: the second waits for the first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('collection.payment_files'))")


def finish_payment_file(
    source: PaymentFile, recorded: RecordedRows, rejected: list[tuple[int, str, str]], *, acting_user
) -> PaymentFileOutcome:
    """Store the file's counts and rejected rows, and its audit event."""
    rejected = sorted(rejected + recorded.rejected)
    source.posted, source.suspense = recorded.posted, recorded.suspense
    source.already_on_record, source.rejected = recorded.already, len(rejected)
    source.rows = recorded.posted + recorded.suspense + recorded.already + len(rejected)
    source.amount = recorded.amount
    source.save(update_fields=["rows", "posted", "suspense", "already_on_record", "rejected", "amount"])
    PaymentFileRejection.objects.bulk_create(
        [PaymentFileRejection(source=source, line=line, raw=raw[:2000], reason=reason[:300])
         for line, raw, reason in rejected],
        batch_size=2000,
    )  # fmt: skip
    record_event(
        events.PAYMENTS_IMPORTED,
        actor=acting_user,
        subject=source,
        details={
            "file": source.name,
            "posted": source.posted,
            "suspense": source.suspense,
            "already": source.already_on_record,
            "rejected": source.rejected,
            "amount": source.amount,
        },
    )
    return PaymentFileOutcome(source=source, rejected=[(line, reason) for line, _raw, reason in rejected])


class _DepositParser:
    """A row's payment (account not yet looked up), or (line, raw, why it is rejected)."""

    def __init__(self, header: list[str], now: datetime):
        self.index = {name: header.index(name) for name in DEPOSIT_COLUMNS if name in header}
        self.width = len(header)
        self.latest = now + timedelta(minutes=5)  # the bank's clock may run a little ahead
        self.oldest = now - timedelta(days=OLDEST_DEPOSIT_DAYS)
        self.times: dict[str, datetime | str] = {}
        self.patterns = _virtual_account_patterns()
        self.numbers: dict[int, str] = {}  # line → the account number the row names

    def cell(self, values: list[str], name: str) -> str:
        index = self.index.get(name)
        return values[index].strip() if index is not None else ""

    def __call__(self, line: int, values: list[str]) -> IncomingPayment | tuple[int, str, str]:
        raw = ",".join(values)
        if len(values) != self.width:
            return line, raw, _("The row does not have as many fields as the header.")
        bank = self.cell(values, "bank")
        if not (len(bank) == 3 and bank.isdigit()):
            return line, raw, _("The bank code “%(value)s” is not three digits.") % {"value": bank}
        transaction_id = self.cell(values, "transaction")
        if not transaction_id:
            return line, raw, _("The bank's transaction number is missing.")
        if len(transaction_id) > 60:
            return line, raw, _("The bank's transaction number is longer than 60 characters.")
        amount_text = self.cell(values, "amount").replace(",", "")
        if not amount_text.isdigit() or int(amount_text) == 0:
            return (
                line,
                raw,
                _("The amount “%(value)s” is not a positive whole number of won.") % {"value": amount_text},
            )
        amount = int(amount_text)
        if amount > LARGEST_PAYMENT:
            return (
                line,
                raw,
                _("The amount %(value)s won is larger than any payment can be.") % {"value": f"{amount:,}"},
            )
        time_text = self.cell(values, "deposited_at")
        received_at = self.times.get(time_text)
        if received_at is None:
            received_at = self.times[time_text] = self._time(time_text)
        if isinstance(received_at, str):
            return line, raw, received_at

        virtual = self.cell(values, "virtual_account")
        written = self.cell(values, "account")
        if virtual:
            number = account_number_of_virtual_account(virtual, self.patterns)
        else:
            number = account_number_as_written(written) if written else None
        if number:
            self.numbers[line] = number
        return IncomingPayment(
            line=line,
            raw=raw,
            source=PaymentSource.VIRTUAL_ACCOUNT if virtual else PaymentSource.BANK_TRANSFER,
            reference=f"{bank}:{transaction_id}",
            amount=amount,
            received_at=received_at,
            account_id=None,
            stated_account=virtual or written,
            payer=self.cell(values, "payer"),
        )

    def _time(self, text: str) -> datetime | str:
        try:
            moment = parse_datetime(text.replace(" ", "T", 1))
            if moment is None and parse_date(text) is not None:
                moment = datetime.combine(parse_date(text), datetime.min.time())
        except ValueError:
            moment = None
        if moment is None:
            return _("The deposit time “%(value)s” is not a date and time (YYYY-MM-DD HH:MM:SS).") % {
                "value": text
            }
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)  # the bank's clock is Seoul's
        if moment > self.latest:
            return _("The deposit time %(value)s is in the future.") % {"value": text}
        if moment < self.oldest:
            return _("The deposit time %(value)s is more than %(days)s days ago.") % {
                "value": text,
                "days": OLDEST_DEPOSIT_DAYS,
            }
        return moment


def _match_accounts(rows: list[IncomingPayment], numbers: dict[int, str]) -> None:
    """Each row's account by the number it names; a number of no account leaves the row in suspense."""
    ids = dict(_lookup(Account, "number", sorted(set(numbers.values())), "id"))
    for row in rows:
        number = numbers.get(row.line)
        if number is not None:
            row.account_id = ids.get(number)
