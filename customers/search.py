"""Finding a household from whatever the caller gives: account or customer number,
phone number in any format, name, or a fragment of the address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, Q, When

from core.phones import phone_query

from .choices import OPEN_STATUSES, AccountStatus
from .models import Account, Customer, Premise

ACCOUNT_NUMBER = re.compile(r"^\d{9}-?\d$")
CUSTOMER_NUMBER = re.compile(r"^[Cc]-?(\d{9})$")


@dataclass
class Hit:
    """One row of the result list: a premise, with the account and customer that matched."""

    premise: Premise
    account: Account | None
    customer: Customer | None
    matched_by: str  # account, customer, phone, name, address

    @property
    def account_id(self) -> int | None:
        return self.account.pk if self.account else None


def classify(query: str) -> str:
    q = query.strip()
    if ACCOUNT_NUMBER.match(q):
        return "account"
    if CUSTOMER_NUMBER.match(q):
        return "customer"
    if phone_query(q):
        return "phone"
    return "text"


def _account_rows(accounts, matched_by: str) -> list[Hit]:
    return [Hit(a.premise, a, a.customer, matched_by) for a in accounts]


def _accounts_of(customer_filter: Q, limit: int):
    """Accounts of matching customers: open ones first, then the most recent."""
    return (
        Account.objects.filter(customer_filter)
        .select_related("customer", "premise__district")
        .annotate(closed_last=Case(When(status=AccountStatus.CLOSED, then=1), default=0))
        .order_by("closed_last", "-start_date", "-id")[:limit]
    )


def _name_starts_with(prefix: str) -> Q:
    """A name prefix condition the database can answer from an index.

    PostgreSQL serves LIKE 'prefix%' from a varchar_pattern_ops index. SQLite's LIKE
    ignores ASCII case and so never uses the index, but a range in its binary
    collation selects exactly the names that start with the prefix.
    """
    if connection.vendor == "sqlite":
        return Q(customer__name__gte=prefix, customer__name__lt=prefix + "\U0010ffff")
    return Q(customer__name__startswith=prefix)


def search_households(query: str, limit: int | None = None) -> list[Hit]:
    limit = limit or settings.SEARCH_RESULT_LIMIT
    q = " ".join(query.split())
    if not q:
        return []
    kind = classify(q)
    if kind == "account":
        number = q.replace("-", "")
        return _account_rows(
            Account.objects.filter(number=number).select_related("customer", "premise__district"), "account"
        )
    if kind == "customer":
        digits = CUSTOMER_NUMBER.match(q).group(1)
        return _account_rows(_accounts_of(Q(customer__number="C" + digits), limit), "customer")
    if kind == "phone":
        e164 = phone_query(q)
        return _account_rows(
            _accounts_of(Q(customer__phone=e164) | Q(customer__phone_alt=e164), limit), "phone"
        )
    return _text_search(q, limit)


def search_by_address(q: str, limit: int) -> list[Hit]:
    """Premises whose address contains every word of ``q``, each with its open account if any."""
    words = q.split()
    if len(q) < 2:
        return []
    premise_filter = Q()
    for word in words:
        premise_filter &= Q(address_line__icontains=word)
    premises = list(
        Premise.objects.filter(premise_filter)
        .select_related("district")
        # building 2 before building 11, as on the street
        .order_by("district__code", "road_name", "building_main", "building_sub", "unit", "pk")[:limit]
    )
    # A premise may have several open accounts (a home and a shop): show the longest-standing.
    open_accounts: dict[int, Account] = {}
    for account in (
        Account.objects.filter(premise__in=premises, status__in=OPEN_STATUSES)
        .select_related("customer")
        .order_by("start_date", "pk")
    ):
        open_accounts.setdefault(account.premise_id, account)
    hits = []
    for premise in premises:
        account = open_accounts.get(premise.pk)
        hits.append(Hit(premise, account, account.customer if account else None, "address"))
    return hits


def _text_search(q: str, limit: int) -> list[Hit]:
    hits: list[Hit] = []
    seen_accounts: set[int] = set()
    # A name, or the start of one (Korean names are 2–4 syllables, so 2 characters already narrow it).
    if len(q) >= 2:
        name_filter = _name_starts_with(q)
        if len(q) >= 3 and any("a" <= ch.lower() <= "z" for ch in q):
            name_filter |= Q(customer__name__istartswith=q)  # Latin names typed in any case
        for account in _accounts_of(name_filter, limit):
            seen_accounts.add(account.pk)
            hits.append(Hit(account.premise, account, account.customer, "name"))
    if len(hits) < limit:
        hits += [
            hit for hit in search_by_address(q, limit - len(hits)) if hit.account_id not in seen_accounts
        ]
    return hits[:limit]
