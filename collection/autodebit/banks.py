"""The banks a mandate may name, and the result codes the banks' debit results carry: one table each.

Bank codes are the three-digit codes of the Korea Financial Telecommunications &
Clearings Institute (금융결제원) that every Korean bank file uses. A code not in the table
is refused at enrolment: debiting needs a bank that takes part in the utility's CMS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.pii import MASK

from ..choices import MandateEndReason

BANKS: dict[str, str] = {
    "002": "KDB산업은행",
    "003": "IBK기업은행",
    "004": "KB국민은행",
    "007": "수협은행",
    "011": "NH농협은행",
    "012": "지역농·축협",
    "020": "우리은행",
    "023": "SC제일은행",
    "027": "한국씨티은행",
    "031": "iM뱅크(대구)",
    "032": "부산은행",
    "034": "광주은행",
    "035": "제주은행",
    "037": "전북은행",
    "039": "경남은행",
    "045": "새마을금고",
    "048": "신협",
    "071": "우체국",
    "081": "하나은행",
    "088": "신한은행",
    "089": "케이뱅크",
    "090": "카카오뱅크",
    "092": "토스뱅크",
}


def bank_name(code: str) -> str:
    return BANKS.get(code, code)


def bank_choices() -> list[tuple[str, str]]:
    """For forms: "088 신한은행", in code order."""
    return [(code, f"{code} {name}") for code, name in sorted(BANKS.items())]


def validate_bank(code: str) -> None:
    if code not in BANKS:
        raise ValidationError(_("Unknown bank code %(code)s.") % {"code": code}, code="bank")


SUCCESS = "0000"


@dataclass(frozen=True)
class ResultCode:
    label: object  # lazy text: what staff and the customer are told
    # The mandate cannot work again after this failure: it ends, for this reason (a MandateEndReason).
    ends_mandate: str | None = None


# The codes our debit-result file carries (docs/import-formats.md). A failure with a code not
# in the table is still a failure: it is recorded with the bank's own message.
RESULT_CODES: dict[str, ResultCode] = {
    SUCCESS: ResultCode(_("Debited")),
    "1001": ResultCode(_("Insufficient funds")),
    "1002": ResultCode(_("Bank account closed"), MandateEndReason.BANK_ACCOUNT_CLOSED),
    "1003": ResultCode(_("No such bank account"), MandateEndReason.REFUSED_BY_BANK),
    "1004": ResultCode(_("Account holder does not match"), MandateEndReason.REFUSED_BY_BANK),
    "1005": ResultCode(_("Mandate cancelled by the payer at the bank"), MandateEndReason.REVOKED_AT_BANK),
    "1006": ResultCode(_("No mandate registered at the bank"), MandateEndReason.REFUSED_BY_BANK),
    "1007": ResultCode(_("Account frozen or seized")),
    "1008": ResultCode(_("Over the account's debit limit")),
    "9999": ResultCode(_("Other bank error")),
}


def result_label(code: str) -> str:
    known = RESULT_CODES.get(code)
    return str(known.label) if known else _("Bank code %(code)s") % {"code": code}


def result_text(code: str, message: str) -> str:
    """What a result means: our wording for the codes we know, the bank's own message for the others."""
    if code in RESULT_CODES:
        return result_label(code)
    return message or result_label(code)


def ends_mandate(code: str) -> str | None:
    """The MandateEndReason a failure with this code ends the mandate for, or None."""
    known = RESULT_CODES.get(code)
    return known.ends_mandate if known else None


def mask_bank_account(number: str) -> str:
    """110123455678 → 110-***-**5678: the first three digits (the bank's product code) and the last four stay."""
    if len(number) <= 7:
        return MASK * max(len(number) - 4, 0) + number[-4:]
    middle, rest = number[3:6], number[6:]
    return f"{number[:3]}-{MASK * len(middle)}-{MASK * (len(rest) - 4)}{rest[-4:]}"


def format_bank_account(number: str) -> str:
    """The same grouping in clear (for a logged reveal): 110-123-455678."""
    return f"{number[:3]}-{number[3:6]}-{number[6:]}" if len(number) > 7 else number
