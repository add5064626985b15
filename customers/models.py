"""The registry: who is served where, through which meter, under which agreement.

Customer (a person or an organisation) holds Accounts (service agreements); an
Account serves a Premise (an address) for one use type; the Premise has Meters
installed over time. Histories — holders, suspensions, household counts, meter
installations — are rows with dates, never overwritten values.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    METER_DIAMETERS,
    AccountStatus,
    BillDelivery,
    BuildingUse,
    CustomerKind,
    HoldingReason,
    PaymentMethod,
    RemovalReason,
    UseType,
)


def compose_address_line(
    city: str,
    district_name: str,
    road_name: str,
    building_main: int,
    building_sub: int = 0,
    unit: str = "",
    legal_dong: str = "",
    building_name: str = "",
) -> str:
    """The address on one line, as shown and searched: "서울특별시 종로구 세종대로 175 101동 1203호 (세종로, 세종빌딩)".

    A function rather than only a method so bulk loaders, which skip save(), write the same text.
    """
    number = f"{building_main}-{building_sub}" if building_sub else str(building_main)
    line = " ".join(part for part in (city, district_name, road_name, number, unit) if part)
    extras = ", ".join(part for part in (legal_dong, building_name) if part)
    return f"{line} ({extras})" if extras else line


class BillingCycle(models.Model):
    """A group of reading routes read and billed together (issue: billing runs bill one cycle)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    read_day = models.PositiveSmallIntegerField(
        _("reading day of the month"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    months = models.PositiveSmallIntegerField(
        _("months per period"), default=1, help_text=_("1 for monthly, 2 for bimonthly reading.")
    )

    class Meta:
        verbose_name = _("billing cycle")
        verbose_name_plural = _("billing cycles")
        ordering = ["code"]

    def __str__(self):
        return self.code


class ReadingRoute(models.Model):
    """A meter reader's walk; premises on it are read in ``route_sequence`` order."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    office = models.ForeignKey(
        "staff.BranchOffice", verbose_name=_("branch office"), on_delete=models.PROTECT, related_name="routes"
    )
    cycle = models.ForeignKey(
        BillingCycle, verbose_name=_("billing cycle"), on_delete=models.PROTECT, related_name="routes"
    )

    class Meta:
        verbose_name = _("reading route")
        verbose_name_plural = _("reading routes")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Customer(models.Model):
    """A person or organisation that holds accounts. No resident registration number is kept."""

    number = models.CharField(_("customer number"), max_length=12, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    business_number = models.CharField(
        _("business registration number"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{3}-\d{2}-\d{5}$", _("Use the form 123-45-67890."))],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164 form."))
    phone_alt = models.CharField(_("other phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mailing_address = models.CharField(
        _("mailing address"),
        max_length=200,
        blank=True,
        help_text=_("Only when bills go elsewhere than the premise."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=[("ko", "한국어"), ("en", "English")], default="ko"
    )
    consent_sms = models.BooleanField(_("agrees to SMS notices"), default=False)
    consent_email = models.BooleanField(_("agrees to e-mail notices"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(fields=["phone_alt"], name="customer_phone_alt"),
            models.Index(fields=["name"], name="customer_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_email=False) | ~Q(email=""), name="customer_email_consent_needs_email"
            ),
            models.CheckConstraint(
                condition=Q(consent_sms=False) | ~Q(phone="") | ~Q(phone_alt=""),
                name="customer_sms_consent_needs_phone",
            ),
        ]
        permissions = [
            ("reveal_personal_data", _("Can reveal masked personal data (logged)")),
            ("edit_customer", _("Can correct customer names and contact details")),
        ]

    def __str__(self):
        return self.number


class Premise(models.Model):
    """A supplied address (도로명주소 with building and unit) in one service district."""

    district = models.ForeignKey(
        "staff.District",
        verbose_name=_("service district"),
        on_delete=models.PROTECT,
        related_name="premises",
    )
    road_name = models.CharField(_("road name"), max_length=60)
    building_main = models.PositiveIntegerField(_("building number"))
    building_sub = models.PositiveIntegerField(_("building sub-number"), default=0)
    legal_dong = models.CharField(_("legal dong (법정동)"), max_length=30, blank=True)
    building_name = models.CharField(_("building name"), max_length=60, blank=True)
    unit = models.CharField(_("unit (동·호)"), max_length=40, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, validators=[RegexValidator(r"^\d{5}$", _("A postcode has five digits."))]
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    building_use = models.CharField(_("building use"), max_length=16, choices=BuildingUse.choices)
    route = models.ForeignKey(
        ReadingRoute,
        verbose_name=_("reading route"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="premises",
    )
    route_sequence = models.PositiveIntegerField(_("order on the route"), default=0)
    # The whole address as one line, for display and fragment search.
    address_line = models.CharField(_("address"), max_length=250, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("premise")
        verbose_name_plural = _("premises")
        indexes = [models.Index(fields=["route", "route_sequence"], name="premise_route_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "road_name", "building_main", "building_sub", "unit"],
                name="premise_unique_address",
                violation_error_message=_("This address is already registered."),
            )
        ]
        permissions = [
            ("view_household", _("Can search and view household pages")),
            ("register_premise", _("Can register new premises")),
            ("change_households", _("Can change the number of households sharing a meter")),
        ]

    def __str__(self):
        return self.address_line

    def save(self, *args, **kwargs):
        self.address_line = self.compose_address_line()
        super().save(*args, **kwargs)

    @property
    def office(self):
        return self.district.office

    @property
    def building_number(self) -> str:
        return f"{self.building_main}-{self.building_sub}" if self.building_sub else str(self.building_main)

    def compose_address_line(self) -> str:
        return compose_address_line(
            self.district.city,
            self.district.name,
            self.road_name,
            self.building_main,
            self.building_sub,
            self.unit,
            self.legal_dong,
            self.building_name,
        )


class PremiseHouseholdCount(models.Model):
    """How many households share the premise's meter (세대분할), from a date on."""

    premise = models.ForeignKey(Premise, on_delete=models.CASCADE, related_name="household_counts")
    households = models.PositiveIntegerField(
        _("households"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    effective_from = models.DateField(_("effective from"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household count")
        verbose_name_plural = _("household counts")
        ordering = ["premise", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["premise", "effective_from"], name="household_count_one_per_day"),
            models.CheckConstraint(condition=Q(households__gte=1), name="household_count_positive"),
        ]

    def __str__(self):
        return f"{self.households} @ {self.effective_from}"


class Meter(models.Model):
    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    diameter_mm = models.PositiveSmallIntegerField(
        _("diameter (mm)"), choices=[(d, f"{d} mm") for d in METER_DIAMETERS]
    )
    dials = models.PositiveSmallIntegerField(
        _("number of dials"),
        validators=[MinValueValidator(3), MaxValueValidator(9)],
        help_text=_("Digits of whole m³ on the register; it rolls over to zero after 10^dials − 1."),
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=60, blank=True)
    remote_read = models.BooleanField(_("remote read (AMI)"), default=False)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        constraints = [
            models.CheckConstraint(condition=Q(dials__gte=3, dials__lte=9), name="meter_dials_range"),
        ]
        permissions = [("replace_meter", _("Can install, replace and remove meters"))]

    def __str__(self):
        return self.serial

    @property
    def register_limit(self) -> int:
        """The register shows 0 … register_limit − 1 before it rolls over."""
        return 10**self.dials


class MeterInstallation(models.Model):
    """A meter at a premise from its install date (and reading) to its removal."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="meter_installations")
    installed_on = models.DateField(_("installed on"))
    install_reading = models.PositiveBigIntegerField(_("install reading"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reading = models.PositiveBigIntegerField(_("removal reading"), null=True, blank=True)
    removal_reason = models.CharField(
        _("removal reason"), max_length=16, choices=RemovalReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("meter installation")
        verbose_name_plural = _("meter installations")
        ordering = ["premise", "-installed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["premise"],
                condition=Q(removed_on__isnull=True),
                name="one_meter_installed_per_premise",
            ),
            models.UniqueConstraint(
                fields=["meter"], condition=Q(removed_on__isnull=True), name="meter_installed_once"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("installed_on")),
                name="installation_removed_after_installed",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True, removal_reading__isnull=True)
                | Q(removed_on__isnull=False, removal_reading__isnull=False),
                name="installation_removal_has_reading",
            ),
        ]

    def __str__(self):
        return f"{self.meter} @ {self.premise_id} from {self.installed_on}"


class Account(models.Model):
    """A service agreement: a customer is supplied at a premise for one use type."""

    number = models.CharField(_("account number"), max_length=12, unique=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="accounts",
        help_text=_("The current holder; earlier holders are in the holding history."),
    )
    premise = models.ForeignKey(
        Premise, verbose_name=_("premise"), on_delete=models.PROTECT, related_name="accounts"
    )
    use_type = models.CharField(_("use type"), max_length=16, choices=UseType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    start_date = models.DateField(_("service start"))
    end_date = models.DateField(_("service end"), null=True, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.DIRECT
    )
    bill_delivery = models.CharField(
        _("bills and notices by"), max_length=16, choices=BillDelivery.choices, default=BillDelivery.POST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["premise", "-start_date"], name="account_premise_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["premise", "use_type"],
                condition=~Q(status=AccountStatus.CLOSED),
                name="one_open_account_per_premise_use",
                violation_error_message=_("This premise already has an open account of this use type."),
            ),
            models.CheckConstraint(
                condition=Q(status=AccountStatus.CLOSED, end_date__isnull=False)
                | (~Q(status=AccountStatus.CLOSED) & Q(end_date__isnull=True)),
                name="account_closed_iff_end_date",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="account_ends_after_start",
            ),
        ]
        permissions = [
            ("operate_service", _("Can start, stop, move, suspend and resume service")),
            ("transfer_account", _("Can change the holder of an account (명의변경)")),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != AccountStatus.CLOSED

    @property
    def display_number(self) -> str:
        """100000001-7: the check digit set apart so it is read out separately."""
        return f"{self.number[:-1]}-{self.number[-1]}"


class AccountHolding(models.Model):
    """Who held the account when: a name change ends one holding and starts the next."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="holdings")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="holdings")
    valid_from = models.DateField(_("held from"))
    valid_to = models.DateField(
        _("held until"),
        null=True,
        blank=True,
        help_text=_("The first day the holder no longer holds the account; empty while they still do."),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=HoldingReason.choices)

    class Meta:
        verbose_name = _("account holding")
        verbose_name_plural = _("account holdings")
        ordering = ["account", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(valid_to__isnull=True), name="one_current_holder_per_account"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="holding_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.account_id}: {self.customer_id} from {self.valid_from}"


class AccountSuspension(models.Model):
    """A temporary stop for a long absence, and its resumption."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="suspensions")
    suspended_on = models.DateField(_("suspended on"))
    planned_resume_on = models.DateField(_("expected back on"), null=True, blank=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("Resumed, or the account closed while suspended.")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["account", "-suspended_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(ended_on__isnull=True), name="one_open_suspension_per_account"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("suspended_on")),
                name="suspension_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.suspended_on}–{self.ended_on or ''}"
