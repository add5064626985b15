"""How the registry's audit events read in the household timeline."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import ActionText

from .choices import BillDelivery, PaymentMethod, RemovalReason, RevealReason, UseType

CUSTOMER_REGISTERED = "customer.registered"
CUSTOMER_UPDATED = "customer.updated"
PERSONAL_DATA_REVEALED = "customer.personal_data_revealed"
PREMISE_REGISTERED = "premise.registered"
SERVICE_STARTED = "service.started"
SERVICE_STOPPED = "service.stopped"
MOVED_OUT = "service.moved_out"
MOVED_IN = "service.moved_in"
HOLDER_CHANGED = "account.holder_changed"
SUSPENDED = "account.suspended"
RESUMED = "account.resumed"
HOUSEHOLDS_CHANGED = "premise.households_changed"
METER_INSTALLED = "meter.installed"
METER_REPLACED = "meter.replaced"

ACTIONS = {
    CUSTOMER_REGISTERED: ActionText(
        _("Customer registered"), _("Customer %(customer_number)s (%(customer)s) registered.")
    ),
    CUSTOMER_UPDATED: ActionText(_("Customer details changed"), lambda d: _describe_customer_update(d)),
    PERSONAL_DATA_REVEALED: ActionText(
        _("Personal data revealed"), _("Personal data of customer %(customer_number)s revealed: %(why)s.")
    ),
    PREMISE_REGISTERED: ActionText(
        _("Premise registered"), _("Premise registered with %(households)s household(s).")
    ),
    SERVICE_STARTED: ActionText(
        _("Service started"),
        _(
            "%(use_type)s service started for %(customer)s, account %(account)s, start reading %(reading)s m³."
        ),
    ),
    SERVICE_STOPPED: ActionText(
        _("Service stopped"), _("Service of account %(account)s stopped, final reading %(reading)s m³.")
    ),
    MOVED_OUT: ActionText(
        _("Moved out"),
        _(
            "%(customer)s moved out to %(to_address)s; account %(account)s closed, final reading %(reading)s m³."
        ),
    ),
    MOVED_IN: ActionText(
        _("Moved in"),
        _(
            "%(customer)s moved in from %(from_address)s; account %(account)s opened, start reading %(reading)s m³."
        ),
    ),
    HOLDER_CHANGED: ActionText(_("Change of holder"), lambda d: _describe_holder_change(d)),
    SUSPENDED: ActionText(
        _("Service suspended"),
        _(
            "Account %(account)s suspended for a long absence, reading %(reading)s m³; expected back %(planned)s."
        ),
    ),
    RESUMED: ActionText(_("Service resumed"), _("Account %(account)s resumed, reading %(reading)s m³.")),
    HOUSEHOLDS_CHANGED: ActionText(
        _("Household count changed"),
        _("Households sharing the meter: %(before)s → %(after)s from %(effective_from)s."),
    ),
    METER_INSTALLED: ActionText(
        _("Meter installed"),
        _("Meter %(new_serial)s (%(new_diameter)s mm) installed, reading %(install_reading)s m³."),
    ),
    METER_REPLACED: ActionText(
        _("Meter replaced"),
        _(
            "Meter %(old_serial)s removed (%(removal_reason)s) at %(removal_reading)s m³; "
            "meter %(new_serial)s (%(new_diameter)s mm) installed at %(install_reading)s m³."
        ),
    ),
}


def _describe_customer_update(details) -> str:
    from .models import Customer

    names = []
    for field in details.get("fields") or []:
        try:
            names.append(str(Customer._meta.get_field(field).verbose_name))
        except Exception:
            names.append(field)
    return gettext("Details of customer %(customer_number)s changed: %(fields)s.") % {
        "customer_number": details.get("customer_number", ""),
        "fields": ", ".join(names),
    }


def _describe_holder_change(details) -> str:
    sentence = (
        gettext("Account %(account)s passed from %(old_holder)s to %(new_holder)s from %(on)s.") % details
    )
    if details.get("auto_debit_ended"):
        sentence += " " + gettext(
            "Auto-debit ended with the old holder; the new holder pays directly until they apply."
        )
    return sentence


DETAIL_CHOICES = {
    "use_type": UseType,
    "payment_method": PaymentMethod,
    "bill_delivery": BillDelivery,
    "removal_reason": RemovalReason,
    "why": RevealReason,
}
