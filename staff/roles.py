"""The six roles of Suido and what each may do.

A role is a Django group whose name is the role's code. This table is the one
place where permissions are granted; ``sync_roles`` (run after every migrate)
makes the groups match it, adding and removing permissions as needed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Call-centre agent")
    CLERK = "clerk", _("Branch-office clerk")
    CREW = "crew", _("Field crew")
    SUPERVISOR = "supervisor", _("Supervisor")
    BILLING = "billing", _("Billing officer")
    ADMIN = "admin", _("Administrator")


VIEW = ["customers.view_household"]
REVEAL = ["customers.reveal_personal_data"]
SERVICE = ["customers.operate_service", "customers.transfer_account"]
CONTACT = ["customers.edit_customer"]
PREMISE = ["customers.register_premise", "customers.change_households"]
METER = ["customers.replace_meter"]
INTAKE = ["servicedesk.take_request", "servicedesk.happy_call"]
HANDLE = ["servicedesk.handle_request", "servicedesk.dispatch_visit"]
FIELD = ["servicedesk.work_visit"]
SUPERVISE = ["servicedesk.supervise_requests"]
TARIFFS = ["billing.manage_tariffs"]
READINGS = ["metering.review_readings"]
# Bills and the ordinance's tariffs, read-only: the household's bills, to answer a caller.
BILLS = ["billing.view_bill", "billing.view_tariff"]
# The billing console: runs, their exceptions, corrections of bills.
BILLING = ["billing.view_billingrun", "billing.run_billing"]
# Proactive cases: the pre-call, the visit's finding (the leak reduction itself is billing's).
PROACTIVE = ["proactive.work_proactive"]
# What a caller declares (김장 next week, a new resident): heard by whoever takes the call.
EXPLAIN = ["proactive.record_explanation"]
# The counter: a payment taken in person, with its receipt.
CASHIER = ["collection.take_payment"]
# Payments that did not land right: the suspense queue, reversals of bounced or cancelled payments.
PAYMENTS = ["collection.reverse_payment"]
# Arrears aging and the collection rate by office and month.
COLLECTION_REPORTS = ["collection.view_collection_reports"]
# The banks' files of deposits: a billing officer's morning work.
PAYMENT_FILES = ["collection.import_payments"]
# Auto-debit applications (자동납부 신청, the most common request) and cancellations, on the household page.
AUTO_DEBIT = ["collection.manage_auto_debit"]
# The banks' auto-debit files: the request file for a collection date, the result file.
DEBIT_FILES = ["collection.exchange_debit_files"]
# The dunning worklist and its letters; running the daily job for a day (billing officers).
DUNNING = ["collection.view_dunning"]
RUN_DUNNING = ["collection.run_dunning"]
# Registering (and ending) a vulnerable household's protection from disconnection: document-backed, at the office.
PROTECT = ["collection.protect_account"]
# Payment arrangements (분납): agreed at the office or by the billing team.
ARRANGE = ["collection.arrange_payments"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Takes any request in one call: start, stop, move, name change, contact details.
    Role.AGENT: VIEW + REVEAL + SERVICE + CONTACT + INTAKE + BILLS + EXPLAIN + AUTO_DEBIT,
    # Does what the agent does plus the document-backed changes of the premise.
    Role.CLERK: VIEW
    + REVEAL
    + SERVICE
    + CONTACT
    + PREMISE
    + METER
    + INTAKE
    + HANDLE
    + BILLS
    + PROACTIVE
    + EXPLAIN
    + CASHIER
    + AUTO_DEBIT
    + PROTECT
    + ARRANGE,
    # Sees the household it visits and records meter work; never changes accounts.
    Role.CREW: VIEW + REVEAL + METER + FIELD,
    Role.SUPERVISOR: VIEW
    + REVEAL
    + SERVICE
    + CONTACT
    + PREMISE
    + METER
    + INTAKE
    + HANDLE
    + SUPERVISE
    + BILLS
    + PROACTIVE
    + EXPLAIN
    + CASHIER
    + PAYMENTS
    + COLLECTION_REPORTS
    + AUTO_DEBIT
    + DUNNING
    + PROTECT
    + ARRANGE,
    # Corrects what billing depends on (meters, household counts, bill addresses).
    # Handles the billing requests (leak reductions, auto-payment) that reach its team.
    Role.BILLING: VIEW
    + REVEAL
    + CONTACT
    + ["customers.change_households"]
    + METER
    + INTAKE
    + ["servicedesk.handle_request"]
    + READINGS
    + BILLS
    + BILLING
    + PROACTIVE
    + EXPLAIN
    + CASHIER
    + PAYMENTS
    + PAYMENT_FILES
    + COLLECTION_REPORTS
    + AUTO_DEBIT
    + DEBIT_FILES
    + DUNNING
    + RUN_DUNNING
    + ARRANGE,
    # Also writes the ordinance's tariffs (the admin site's billing section).
    Role.ADMIN: VIEW
    + REVEAL
    + SERVICE
    + CONTACT
    + PREMISE
    + METER
    + INTAKE
    + HANDLE
    + SUPERVISE
    + TARIFFS
    + READINGS,
}

# Administrators also manage reference data and users in the admin site.
ADMIN_APPS = [
    "staff",
    "customers",
    "metering",
    "servicedesk",
    "billing",
    "proactive",
    "collection",
    "core",
    "auth",
]


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = set()
        for code in codes:
            app_label, codename = code.split(".")
            wanted.add(Permission.objects.get(content_type__app_label=app_label, codename=codename).pk)
        if role == Role.ADMIN:
            wanted |= set(
                Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).values_list("pk", flat=True)
            )
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Run once, after the last app's permissions exist.
    if sender.name == "staff":
        from django.apps import apps
        from django.contrib.auth.management import create_permissions

        for config in apps.get_app_configs():
            create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
        sync_roles()
