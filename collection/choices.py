from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentSource(models.TextChoices):
    CASHIER = "cashier", _("Cashier (walk-in)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    VIRTUAL_ACCOUNT = "virtual_account", _("Virtual account deposit")
    CARD = "card", _("Card")
    ONLINE = "online", _("Online payment")
    AUTO_DEBIT = "auto_debit", _("Auto-debit")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted to the account")
    SUSPENSE = "suspense", _("In suspense (no account matched)")
    REVERSED = "reversed", _("Reversed")


class PaymentFileKind(models.TextChoices):
    DEPOSITS = "deposits", _("Bank deposits")
    AUTO_DEBIT_RESULTS = "auto_debit", _("Auto-debit results")


class CounterMeans(models.TextChoices):
    """How money was handed over at the counter (the payment's source is always the cashier)."""

    CASH = "cash", _("Cash")
    CARD = "card", _("Card at the counter")


# --- Auto-debit (자동납부) ---------------------------------------------------------------------


class PayerRelation(models.TextChoices):
    """Whose bank account is debited, seen from the water account's holder."""

    HOLDER = "holder", _("The account holder")
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")
    LANDLORD = "landlord", _("Landlord / building owner")
    MANAGEMENT = "management", _("Building management office")
    OTHER = "other", _("Someone else")


class MandateEndReason(models.TextChoices):
    CUSTOMER_REQUEST = "customer", _("Cancelled at the customer's request")
    REPLACED = "replaced", _("Replaced by a new bank account")
    HOLDER_CHANGED = "holder_changed", _("The water account changed holder")
    BANK_ACCOUNT_CLOSED = "bank_closed", _("The bank account was closed")
    REVOKED_AT_BANK = "revoked", _("Cancelled by the payer at the bank")
    REFUSED_BY_BANK = "refused", _("Refused by the bank (no such account, holder mismatch, not registered)")
    ENTERED_IN_ERROR = "error", _("Entered by mistake")


class DebitLineStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the bank's result")
    DEBITED = "debited", _("Debited")
    FAILED = "failed", pgettext_lazy("debit", "Failed")


# --- Late fees, dunning, protection, payment arrangements (collection/dunning) -----------------


class DunningStage(models.TextChoices):
    """The steps of an arrears episode, in order."""

    REMINDER = "reminder", _("Reminder (납부 독촉)")
    NOTICE = "notice", _("Disconnection notice (단수 예고)")
    DISCONNECTION = "disconnection", _("Disconnection order (단수)")


DUNNING_ORDER = [DunningStage.REMINDER, DunningStage.NOTICE, DunningStage.DISCONNECTION]


class DunningRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


class ProtectionReason(models.TextChoices):
    """Why a household's water is never cut off for arrears (it is still reminded)."""

    BASIC_LIVELIHOOD = "basic_livelihood", _("Basic livelihood security recipient (기초생활수급자)")
    NEAR_POVERTY = "near_poverty", _("Near-poverty household (차상위계층)")
    MEDICAL = "medical", _("Medical need (home dialysis, life-support equipment)")
    ELDERLY_ALONE = "elderly_alone", _("Elderly person living alone")
    DISABILITY = "disability", _("Person with a severe disability")
    CHILDREN = "children", _("Household of children or a single parent")
    OTHER = "other", _("Other (described in the evidence)")


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed (paid)")
    BROKEN = "broken", _("Broken (an installment was not paid)")
    CANCELLED = "cancelled", _("Cancelled")


class DisconnectionResolution(models.TextChoices):
    RECONNECTION = "reconnection", _("Paid: reconnection ordered")
    WITHDRAWN = "withdrawn", _("Paid before the crew went: order withdrawn")
    PROTECTED = "protected", _("Household protected: reconnection ordered")
