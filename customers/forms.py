"""Forms of the registry operations. They parse and show errors; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput

from .actions import CustomerDetails
from .choices import (
    METER_DIAMETERS,
    BillDelivery,
    BuildingUse,
    CustomerKind,
    PaymentMethod,
    RemovalReason,
    RevealReason,
    UseType,
)
from .models import Customer, Premise

READING_HELP = _("Whole m³ shown on the register.")
ROLLED_OVER_LABEL = _("Register rolled over (passed its maximum and restarted at zero)")


def reading_field(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        help_text=READING_HELP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


REASON_LABEL = _("Reason / note")


def reason_field(required=False, label=REASON_LABEL):
    return forms.CharField(
        label=label, required=required, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactFields(forms.Form):
    """Name and contact fields, shared by new-customer and correction forms.

    All optional here: the action says which are missing for what is being done.
    """

    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "010-1234-5678"}),
    )
    phone_alt = forms.CharField(
        label=_("Other phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput())
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("ko", "한국어"), ("en", "English")], initial="ko"
    )
    consent_sms = forms.BooleanField(label=_("Agrees to SMS notices"), required=False)
    consent_email = forms.BooleanField(label=_("Agrees to e-mail notices"), required=False)


class CustomerChoiceMixin(ContactFields):
    """Either an existing customer by number, or the details of a new one."""

    existing_customer = forms.CharField(
        label=_("Existing customer number"),
        required=False,
        max_length=12,
        help_text=_("Leave empty to register a new customer with the details below."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices, initial=CustomerKind.PERSON)

    customer_fields = (
        "existing_customer",
        "kind",
        "name",
        "phone",
        "phone_alt",
        "email",
        "preferred_language",
        "consent_sms",
        "consent_email",
    )

    def clean_existing_customer(self):
        number = self.cleaned_data["existing_customer"].strip().upper().replace("-", "")
        if not number:
            return None
        customer = Customer.objects.filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has the number %(number)s.") % {"number": number})
        return customer

    def customer_choice(self) -> Customer | CustomerDetails:
        data = self.cleaned_data
        if data.get("existing_customer"):
            return data["existing_customer"]
        return CustomerDetails(
            kind=data["kind"],
            name=data["name"],
            phone=data["phone"],
            phone_alt=data["phone_alt"],
            email=data["email"],
            preferred_language=data["preferred_language"],
            consent_sms=data["consent_sms"],
            consent_email=data["consent_email"],
        )


class StartServiceForm(CustomerChoiceMixin):
    use_type = forms.ChoiceField(label=_("Use type"), choices=UseType.choices, initial=UseType.DOMESTIC)
    on = forms.DateField(label=_("Start date"), widget=DateInput())
    start_reading = reading_field(_("Start reading"))
    rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    bill_delivery = forms.ChoiceField(label=_("Bills and notices by"), choices=BillDelivery.choices)
    reason = reason_field()


class StopServiceForm(forms.Form):
    on = forms.DateField(label=_("End date"), widget=DateInput())
    final_reading = reading_field(_("Final reading"))
    rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    reason = reason_field()


class MoveForm(forms.Form):
    to_premise = forms.IntegerField(
        label=_("New premise number"),
        min_value=1,
        help_text=_(
            "Type part of the new address in “Find the new address” above and pick it, or enter the premise number."
        ),
    )
    moved_out_on = forms.DateField(label=_("Moved out on"), widget=DateInput())
    final_reading = reading_field(_("Final reading at the old address"))
    final_rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    moved_in_on = forms.DateField(label=_("Moved in on"), widget=DateInput())
    start_reading = reading_field(_("Start reading at the new address"))
    start_rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    use_type = forms.ChoiceField(
        label=_("Use type at the new address"),
        required=False,
        choices=[("", _("Same as now"))] + list(UseType.choices),
    )
    reason = reason_field()

    def clean_to_premise(self):
        premise = (
            Premise.objects.select_related("district").filter(pk=self.cleaned_data["to_premise"]).first()
        )
        if premise is None:
            raise forms.ValidationError(_("No premise has this number."))
        return premise


class TransferForm(CustomerChoiceMixin):
    on = forms.DateField(label=_("Change of holder on"), widget=DateInput())
    reason = reason_field()


class HouseholdCountForm(forms.Form):
    households = forms.IntegerField(label=_("Households sharing the meter"), min_value=1, max_value=9999)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    reason = reason_field(required=True, label=_("Reason (e.g. document received)"))


class SuspendForm(forms.Form):
    on = forms.DateField(label=_("Suspended from"), widget=DateInput())
    reading = reading_field(_("Reading at suspension"))
    rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    planned_resume_on = forms.DateField(label=_("Expected back on"), required=False, widget=DateInput())
    reason = reason_field()


class ResumeForm(forms.Form):
    on = forms.DateField(label=_("Resumed on"), widget=DateInput())
    reading = reading_field(_("Reading at resumption"))
    rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    reason = reason_field()


class ReplaceMeterForm(forms.Form):
    on = forms.DateField(label=_("Date of the work"), widget=DateInput())
    removal_reading = forms.IntegerField(
        label=_("Removal reading of the old meter"), min_value=0, required=False, help_text=READING_HELP
    )
    removal_rolled_over = forms.BooleanField(label=ROLLED_OVER_LABEL, required=False)
    removal_reason = forms.ChoiceField(label=_("Why the old meter is removed"), choices=RemovalReason.choices)
    new_serial = forms.CharField(label=_("New meter serial number"), max_length=30)
    new_diameter_mm = forms.TypedChoiceField(
        label=_("New meter diameter"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("— (a spare meter already registered)"))] + [(d, f"{d} mm") for d in METER_DIAMETERS],
    )
    new_dials = forms.IntegerField(label=_("New meter dials"), min_value=3, max_value=9, required=False)
    install_reading = reading_field(_("Install reading of the new meter"))
    reason = reason_field()


class EditCustomerForm(ContactFields):
    """Only what is typed changes; empty fields keep their current value."""

    mailing_address = forms.CharField(label=_("Mailing address"), required=False, max_length=200)
    reason = reason_field()

    text_fields = ("name", "phone", "phone_alt", "email", "mailing_address")

    def __init__(self, *args, customer: Customer, **kwargs):
        self.customer = customer
        kwargs.setdefault("initial", {}).update(
            preferred_language=customer.preferred_language,
            consent_sms=customer.consent_sms,
            consent_email=customer.consent_email,
        )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {f: data[f] for f in self.text_fields if data[f].strip()}
        for field in ("preferred_language", "consent_sms", "consent_email"):
            if data[field] != getattr(self.customer, field):
                changes[field] = data[field]
        return changes


class RevealForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Why do you need to see the personal data?"), choices=RevealReason.choices
    )
    reason_text = forms.CharField(label=_("Details"), required=False, max_length=300)


class RegisterPremiseForm(forms.ModelForm):
    households = forms.IntegerField(
        label=_("Households sharing the meter"), min_value=1, max_value=9999, initial=1
    )

    class Meta:
        model = Premise
        fields = [
            "district",
            "road_name",
            "building_main",
            "building_sub",
            "unit",
            "legal_dong",
            "building_name",
            "postcode",
            "building_use",
            "route",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building_use"].choices = BuildingUse.choices
        self.fields["district"].queryset = self.fields["district"].queryset.select_related("office")
