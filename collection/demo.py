"""The demo city's payments: the banks' deposit file of its bills, as a utility receives it.

Most households pay each bill in full before it is due (into their virtual account or
by transfer with the account number in the memo); some pay half, some not at all (the
arrears the dunning worklist shows), and a few deposits name no account (the suspense
queue). Imported with the real importer, so the demo's ledger is what a bank file makes.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from billing.choices import BillStatus
from billing.models import Bill

from .imports import PaymentFileOutcome, import_deposits

HEADER = "bank,transaction,deposited_at,amount,virtual_account,account,payer"


def demo_deposit_file(now: datetime, *, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    virtual = next((t for _bank, t in settings.BILL_PAYMENT_ACCOUNTS if "{account}" in t), None)
    lines = [HEADER]
    bills = (
        Bill.objects.filter(status=BillStatus.ISSUED, balance__owed__gt=0)
        .order_by("due_on", "id")
        .values_list("id", "account__number", "total", "due_on")
    )
    for n, (bill_id, number, total, due_on) in enumerate(bills):
        paid_on = due_on - timedelta(days=rng.randint(0, 12))
        moment = timezone.make_aware(
            datetime.combine(paid_on, time(9 + rng.randint(0, 8), rng.randint(0, 59)))
        )
        if moment > now - timedelta(hours=1):
            if rng.random() < 0.7:
                continue  # not yet paid: the bill is not due yet
            moment = now - timedelta(hours=rng.randint(1, 48))
        draw = rng.random()
        if draw < 0.07:
            continue  # not paid: arrears
        amount = total if draw > 0.11 else total // 2
        stamp = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
        if virtual and rng.random() < 0.6:
            lines.append(f"020,DEMO{bill_id:08d},{stamp},{amount},{virtual.replace('{account}', number)},,")
        else:
            lines.append(f"088,DEMO{bill_id:08d},{stamp},{amount},,{number[:-1]}-{number[-1]},")
        if n % 97 == 0:  # a transfer without the account number: it waits in suspense
            lines.append(
                f"088,DEMOX{bill_id:07d},{stamp},{amount},,,{rng.choice(['김', '이', '박', '최'])}○○"
            )
    return ("\n".join(lines) + "\n").encode()


def load_demo_payments(*, seed: int = 1) -> PaymentFileOutcome:
    now = timezone.now()
    return import_deposits(f"demo-deposits-{timezone.localdate(now):%Y%m%d}.csv",
                           demo_deposit_file(now, seed=seed), acting_user=None, now=now)  # fmt: skip
