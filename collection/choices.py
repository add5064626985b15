from django.db import models
from django.utils.translation import gettext_lazy as _


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
