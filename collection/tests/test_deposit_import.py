"""Banks' deposit files: every row posted, in suspense, already on record or rejected; a file twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from collection.choices import PaymentSource, PaymentStatus
from collection.imports import (
    IncomingPayment,
    account_number_as_written,
    account_number_of_virtual_account,
    import_deposits,
    record_payments,
)
from collection.ledger import position
from collection.models import Payment, PaymentFile
from collection.tests.builders import at, issue_bill
from core.sequences import with_check_digit

HEADER = "bank,transaction,deposited_at,amount,virtual_account,account,payer\n"
ACCOUNTS = [("우리은행", "2770-{account}"), ("신한은행", "5620-{account}")]


def deposits(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def load(content: bytes, name: str = "deposits.csv"):
    return import_deposits(name, content, acting_user=None, now=at(20))


def paid(bill):
    return type(bill).objects.get(pk=bill.pk).paid


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_deposits_are_matched_by_virtual_account_or_the_number_the_payer_wrote(city):
    first, second = city.account(), city.account()
    bill_1, bill_2 = issue_bill(first, 30_000), issue_bill(second, 25_000)
    outcome = load(
        deposits(
            f"020,W-1,2026-11-19 09:30:00,30000,2770-{first.number},,홍길동",
            f"088,S-7,2026-11-19,10000,,{second.display_number},김영희",
        )
    )
    source = outcome.source
    assert (source.rows, source.posted, source.suspense, source.rejected) == (2, 2, 0, 0)
    assert source.amount == 40_000
    assert paid(bill_1) == 30_000 and paid(bill_2) == 10_000
    by_virtual = Payment.objects.get(reference="020:W-1")
    assert by_virtual.source == PaymentSource.VIRTUAL_ACCOUNT and by_virtual.account_id == first.pk
    assert by_virtual.payer == "홍길동" and by_virtual.file_id == source.pk
    assert Payment.objects.get(reference="088:S-7").source == PaymentSource.BANK_TRANSFER
    assert position(second.pk).owed == 15_000


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_a_deposit_no_account_matches_waits_in_suspense_with_what_the_payer_wrote(city):
    account = city.account()
    typo = account.number[:-1] + str((int(account.number[-1]) + 1) % 10)  # the check digit catches it
    outcome = load(
        deposits(
            f"088,S-1,2026-11-19 10:00,12000,,{typo},박민수",
            "088,S-2,2026-11-19 10:05,5000,,,이름만",
            "020,W-9,2026-11-19 10:10,7000,2770-9999999999,,최",
        )
    )
    assert (outcome.source.posted, outcome.source.suspense) == (0, 3)
    waiting = Payment.objects.get(reference="088:S-1")
    assert waiting.status == PaymentStatus.SUSPENSE and waiting.account_id is None
    assert waiting.stated_account == typo and waiting.payer == "박민수"


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_each_bad_row_is_rejected_with_its_reason_and_the_rest_is_recorded(city):
    account = city.account()
    good = f"020,W-1,2026-11-19 09:00,1000,2770-{account.number},,"
    outcome = load(
        deposits(
            good,
            f"20,W-2,2026-11-19 09:00,1000,2770-{account.number},,",
            f"020,,2026-11-19 09:00,1000,2770-{account.number},,",
            f"020,W-3,2026-11-19 09:00,0,2770-{account.number},,",
            f"020,W-4,2026-11-19 09:00,12.5,2770-{account.number},,",
            f"020,W-5,19/11/2026,1000,2770-{account.number},,",
            f"020,W-6,2026-12-19 09:00,1000,2770-{account.number},,",
            f"020,W-7,2024-01-02 09:00,1000,2770-{account.number},,",
            "020,W-8,2026-11-19 09:00,1000",
            good.replace("1000", "2000"),
        )
    )
    reasons = dict(outcome.rejected)
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "three digits" in reasons[3]
    assert "transaction number is missing" in reasons[4]
    assert "positive whole number" in reasons[5] and "positive whole number" in reasons[6]
    assert "not a date and time" in reasons[7]
    assert "in the future" in reasons[8]
    assert "days ago" in reasons[9]
    assert "as many fields" in reasons[10]
    assert "already on line 2" in reasons[11]
    source = outcome.source
    assert (source.rows, source.posted, source.rejected) == (10, 1, 9)
    assert list(source.rejections.values_list("line", flat=True)) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert Payment.objects.count() == 1


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_the_same_file_twice_changes_nothing_and_an_overlapping_file_records_only_what_is_new(city):
    account = city.account()
    bill = issue_bill(account, 50_000)
    line_1 = f"020,W-1,2026-11-19 09:00,20000,2770-{account.number},,"
    line_2 = f"020,W-2,2026-11-19 09:30,20000,2770-{account.number},,"
    first = load(deposits(line_1))
    again = load(deposits(line_1), name="renamed.csv")
    assert again.repeated and again.source.pk == first.source.pk
    assert PaymentFile.objects.count() == 1 and paid(bill) == 20_000

    overlapping = load(deposits(line_1, line_2, line_1.replace("W-1", "W-3").replace("20000", "20001")))
    assert (overlapping.source.already_on_record, overlapping.source.posted) == (1, 2)
    assert paid(bill) == 50_000
    assert position(account.pk).credit == 10_001

    conflicting = load(deposits(line_2.replace("20000", "30000")))
    assert conflicting.source.rejected == 1
    assert "on record with 20,000 won, not 30,000 won" in conflicting.rejected[0][1]
    assert Payment.objects.count() == 3


def test_a_file_that_is_not_a_deposit_file_is_refused_whole(city):
    with pytest.raises(ValidationError, match="Unknown column"):
        load(deposits("1,2", header="account,value\n"))
    with pytest.raises(ValidationError, match="lacks the column"):
        load(deposits("020,W-1", header="bank,transaction\n"))
    with pytest.raises(ValidationError, match="no deposits"):
        load(HEADER.encode())
    with override_settings(PAYMENT_FILE_MAX_BYTES=10), pytest.raises(ValidationError, match="larger than"):
        load(deposits("020,W-1,2026-11-19,1,,,"))
    assert not PaymentFile.objects.exists() and not Payment.objects.exists()


def test_record_payments_counts_posts_and_suspense_and_settles_once_per_account(city):
    account = city.account()
    bill = issue_bill(account, 9_000)
    rows = [
        IncomingPayment(2, "", PaymentSource.CARD, "C-1", 4_000, at(3), account.pk),
        IncomingPayment(3, "", PaymentSource.CARD, "C-2", 6_000, at(4), account.pk),
        IncomingPayment(4, "", PaymentSource.CARD, "C-3", 1_000, at(4), None, stated_account="?"),
    ]
    recorded = record_payments(rows, file=None, acting_user=None, now=at(5))
    assert (recorded.posted, recorded.suspense, recorded.already, recorded.amount) == (2, 1, 0, 11_000)
    assert recorded.allocated == 9_000 and recorded.account_ids == [account.pk]
    assert paid(bill) == 9_000
    # The older payment paid first, in full; the newer one holds the credit.
    assert list(
        Payment.objects.filter(account=account).order_by("reference").values_list("allocated", flat=True)
    ) == [
        4_000,
        5_000,
    ]
    again = record_payments(rows, file=None, acting_user=None, now=at(6))
    assert (again.posted, again.suspense, again.already) == (0, 0, 3)


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS + [("국민은행", "123-45-0000")])
def test_virtual_account_and_written_numbers():
    number = with_check_digit(100000001, 9)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert account_number_of_virtual_account(f"2770-{number}") == number
    assert account_number_of_virtual_account(f"5620{number}") == number
    assert account_number_of_virtual_account(f"2770-{wrong}") is None
    assert account_number_of_virtual_account(f"1234-{number}") is None  # not one of ours
    assert account_number_as_written(f" {number[:-1]}-{number[-1]} ") == number
    assert account_number_as_written(number[:-1]) is None


def test_a_clerk_matches_a_payment_in_suspense_and_it_pays_the_oldest_bill(city):
    from collection.actions import match_suspense_payment, reverse_payment

    account = city.account()
    bill = issue_bill(account, 8_000)
    rows = [IncomingPayment(2, "", PaymentSource.BANK_TRANSFER, "088:X", 10_000, at(3), None, "10000-?")]
    record_payments(rows, file=None, acting_user=None)
    waiting = Payment.objects.get(reference="088:X")
    matched = match_suspense_payment(waiting, account, acting_user=None, note="called the payer")
    assert matched.status == PaymentStatus.POSTED and matched.account_id == account.pk
    assert matched.allocated == 8_000 and paid(bill) == 8_000 and position(account.pk).credit == 2_000
    with pytest.raises(ValidationError, match="no longer in suspense"):
        match_suspense_payment(waiting, account, acting_user=None)
    # A deposit no one can claim is returned to the payer: reversed, straight from suspense.
    record_payments(
        [IncomingPayment(3, "", PaymentSource.BANK_TRANSFER, "088:Y", 500, at(3), None)],
        file=None,
        acting_user=None,
    )
    returned = reverse_payment(Payment.objects.get(reference="088:Y"), reason="returned", acting_user=None)
    assert returned.status == PaymentStatus.REVERSED


@override_settings(BILL_PAYMENT_ACCOUNTS=ACCOUNTS)
def test_the_command_imports_files_and_says_which_it_refused(city, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    account = city.account()
    good = tmp_path / "d1.csv"
    good.write_bytes(deposits(f"020,W-1,2026-11-22 09:00,1000,2770-{account.number},,"))
    bad = tmp_path / "d2.csv"
    bad.write_bytes(b"nonsense\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_deposits", str(good), str(bad), stdout=out, stderr=err)
    assert "posted=1" in out.getvalue() and "d2.csv: refused" in err.getvalue()
    assert Payment.objects.filter(account=account).count() == 1
