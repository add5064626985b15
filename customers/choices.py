from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class UseType(models.TextChoices):
    """Use types (업종) of the water tariff ordinances."""

    DOMESTIC = "domestic", _("Domestic (가정용)")
    GENERAL = "general", _("General (일반용)")
    BATHHOUSE = "bathhouse", _("Bathhouse (욕탕용)")
    INDUSTRIAL = "industrial", _("Industrial (공업용)")
    PUBLIC = "public", _("Public (공공용)")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)


class PaymentMethod(models.TextChoices):
    DIRECT = "direct", _("Direct payment")
    AUTO_DEBIT = "auto_debit", _("Auto-debit (자동납부)")


class BillDelivery(models.TextChoices):
    """How bills and notices reach the customer."""

    POST = "post", _("Post")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS / mobile")


class BuildingUse(models.TextChoices):
    DETACHED_HOUSE = "detached", _("Detached house (단독주택)")
    APARTMENT = "apartment", _("Apartment (아파트)")
    MULTI_HOUSEHOLD = "multi", _("Multi-household house (다세대·연립)")
    MIXED = "mixed", _("Home and shop (주상복합·상가주택)")
    SHOP = "shop", _("Shop (근린생활시설)")
    OFFICE = "office", _("Office (업무시설)")
    BATHHOUSE = "bathhouse", _("Bathhouse (목욕장)")
    FACTORY = "factory", _("Factory (공장)")
    SCHOOL = "school", _("School (교육시설)")
    PUBLIC = "public", _("Public building (공공시설)")


class HoldingReason(models.TextChoices):
    OPENED = "opened", _("Account opened")
    TRANSFER = "transfer", _("Change of holder (명의변경)")


class RevealReason(models.TextChoices):
    """Why a member of staff unmasks a customer's personal data (logged with the reveal)."""

    CALLER_VERIFIED = "caller_verified", _("Caller identified; confirming their details")
    CALLBACK = "callback", _("Calling the customer back")
    REQUEST = "request", _("Processing the customer's request")
    FIELD_VISIT = "field_visit", _("Arranging a field visit")
    OTHER = "other", _("Other (write below)")


class RemovalReason(models.TextChoices):
    REPLACED = "replaced", _("Replaced")
    FAULTY = "faulty", _("Faulty")
    EXPIRED = "expired", _("Legal service life reached")
    DEMOLITION = "demolition", _("Building demolished")


# Meter sizes (mm) in the ordinances' basic-charge tables.
METER_DIAMETERS = [13, 15, 20, 25, 32, 40, 50, 65, 75, 80, 100, 125, 150, 200, 250, 300]
