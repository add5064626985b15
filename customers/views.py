"""Console pages of the registry. Each view parses, authorises, calls an action, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from core.dates import today
from core.forms import add_action_errors
from metering.readings import last_reading

from . import actions, forms
from .actions.common import current_installation
from .household import customer_at_premise, load_household, load_premise, timeline_page
from .models import Account, Customer, Premise
from .privacy import CustomerView, shown_name
from .search import search_by_address, search_households

VIEW_HOUSEHOLD = "customers.view_household"


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
def search(request):
    query = request.GET.get("q", "").strip()
    hits = search_households(query) if query else []
    context = {"query": query, "hits": hits, "searched": bool(query)}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "customers/_search_results.html", context)
    return render(request, "customers/search.html", context)


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
def household(request, pk: int, revealed_customer_id: int | None = None):
    premise = premise_or_404(pk)
    with_access = request.GET.get("access") == "1"
    data = load_household(
        premise,
        revealed_customer_id=revealed_customer_id,
        page_number=request.GET.get("page", 1),
        with_access=with_access,
    )
    context = {"h": data, "premise": premise, "with_access": with_access}
    return render(request, "customers/household.html", context)


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
def timeline(request, pk: int):
    premise = premise_or_404(pk)
    with_access = request.GET.get("access") == "1"
    page, entries = timeline_page(premise.pk, request.GET.get("page", 1), with_access=with_access)
    context = {"premise": premise, "page": page, "entries": entries, "with_access": with_access}
    return render(request, "customers/_timeline.html", context)


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required("customers.reveal_personal_data", raise_exception=True)
@require_POST
def reveal(request, pk: int, customer_id: int):
    premise = premise_or_404(pk)
    customer = customer_at_premise(premise, customer_id)
    if customer is None:
        raise Http404(_("This customer has no account at this premise."))
    form = forms.RevealForm(request.POST)
    revealed = False
    if form.is_valid():
        try:
            actions.reveal_personal_data(
                customer,
                reason=form.cleaned_data["reason_code"],
                note=form.cleaned_data["reason_text"],
                acting_user=request.user,
                household_id=premise.pk,
            )
            revealed = True
        except ValidationError as exc:
            add_action_errors(form, exc)
    if not revealed:
        if request.htmx:
            return render(
                request,
                "customers/_reveal_form.html",
                {"premise": premise, "customer": customer, "form": form},
                status=422,
            )
        messages.error(request, _("Say why you need to see the personal data."))
        return redirect("household", pk=premise.pk)
    if request.htmx:
        return render(
            request,
            "customers/_customer_revealed.html",
            {"premise": premise, "customer": customer, "view": CustomerView.of(customer, revealed=True)},
        )
    return household(request, premise.pk, revealed_customer_id=customer.pk)


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
def premise_lookup(request):
    """Address suggestions for the move form (htmx)."""
    query = request.GET.get("address", "").strip()
    hits = search_by_address(query, limit=15)
    return render(request, "customers/_premise_lookup.html", {"hits": hits, "query": query})


def premise_or_404(pk: int) -> Premise:
    try:
        return load_premise(pk)
    except Premise.DoesNotExist:
        raise Http404(_("No such premise.")) from None


class OperationView(PermissionRequiredMixin, FormView):
    """A registry operation on one household: show the form, call the action, go back to the household."""

    template_name = "customers/operation.html"
    title = ""
    intro = ""
    submit_label = gettext_lazy("Save")
    fieldsets: list[tuple[str, list[str]]] | None = None
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load_subject()
        return super().dispatch(request, *args, **kwargs)

    def load_subject(self):
        self.premise = premise_or_404(self.kwargs["pk"])
        self.account = None
        if "account_id" in self.kwargs:
            self.account = get_object_or_404(
                Account.objects.select_related("customer", "premise__district"),
                pk=self.kwargs["account_id"],
                premise=self.premise,
            )

    def get_initial(self):
        return {"on": today()}

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())

    def get_success_message(self):
        return self.success_message

    def get_success_url(self):
        return reverse("household", kwargs={"pk": self.premise.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        fieldsets = self.fieldsets or [("", list(form.fields))]
        installation = current_installation(self.premise)
        context.update(
            installation=installation,
            last_reading=last_reading(installation.meter) if installation else None,
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            premise=self.premise,
            account=self.account,
            holder=shown_name(self.account.customer) if self.account else "",
            fieldsets=[(title, [form[name] for name in names]) for title, names in fieldsets],
        )
        return context


CUSTOMER_FIELDSET = (gettext_lazy("Customer"), list(forms.CustomerChoiceMixin.customer_fields))


class StartServiceView(OperationView):
    permission_required = "customers.operate_service"
    form_class = forms.StartServiceForm
    title = gettext_lazy("Start service")
    submit_label = gettext_lazy("Start service")
    fieldsets = [
        CUSTOMER_FIELDSET,
        (
            gettext_lazy("Service"),
            ["use_type", "on", "start_reading", "rolled_over", "payment_method", "bill_delivery", "reason"],
        ),
    ]

    def perform(self, form):
        d = form.cleaned_data
        return actions.start_service(
            premise=self.premise,
            customer=form.customer_choice(),
            use_type=d["use_type"],
            on=d["on"],
            start_reading=d["start_reading"],
            rolled_over=d["rolled_over"],
            payment_method=d["payment_method"],
            bill_delivery=d["bill_delivery"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Service started: account %(account)s.") % {"account": self.result.display_number}


class StopServiceView(OperationView):
    permission_required = "customers.operate_service"
    form_class = forms.StopServiceForm
    title = gettext_lazy("Stop service")
    submit_label = gettext_lazy("Stop service")

    def perform(self, form):
        d = form.cleaned_data
        return actions.stop_service(
            self.account,
            on=d["on"],
            final_reading=d["final_reading"],
            rolled_over=d["rolled_over"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Account %(account)s closed.") % {"account": self.account.display_number}


class MoveView(OperationView):
    permission_required = "customers.operate_service"
    form_class = forms.MoveForm
    template_name = "customers/move.html"
    title = gettext_lazy("Move within the city")
    intro = gettext_lazy(
        "Stops service here and starts it at the new address in one step: both happen or neither."
    )
    submit_label = gettext_lazy("Move")
    fieldsets = [
        (gettext_lazy("New address"), ["to_premise"]),
        (gettext_lazy("Leaving this address"), ["moved_out_on", "final_reading", "final_rolled_over"]),
        (
            gettext_lazy("Arriving at the new address"),
            ["moved_in_on", "start_reading", "start_rolled_over", "use_type"],
        ),
        ("", ["reason"]),
    ]

    def get_initial(self):
        return {"moved_out_on": today(), "moved_in_on": today()}

    def perform(self, form):
        d = form.cleaned_data
        return actions.move_household(
            self.account,
            to_premise=d["to_premise"],
            moved_out_on=d["moved_out_on"],
            final_reading=d["final_reading"],
            final_rolled_over=d["final_rolled_over"],
            moved_in_on=d["moved_in_on"],
            start_reading=d["start_reading"],
            start_rolled_over=d["start_rolled_over"],
            use_type=d["use_type"] or None,
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_url(self):
        return reverse("household", kwargs={"pk": self.result.premise_id})

    def get_success_message(self):
        return _("Moved: account %(old)s closed, account %(new)s opened at the new address.") % {
            "old": self.account.display_number,
            "new": self.result.display_number,
        }


class TransferView(OperationView):
    permission_required = "customers.transfer_account"
    form_class = forms.TransferForm
    title = gettext_lazy("Change of holder (명의변경)")
    intro = gettext_lazy(
        "The account, its number and its history stay with the premise; the holder changes. "
        "An auto-debit of the old holder ends."
    )
    submit_label = gettext_lazy("Change holder")
    fieldsets = [
        (gettext_lazy("New holder"), list(forms.CustomerChoiceMixin.customer_fields)),
        ("", ["on", "reason"]),
    ]

    def perform(self, form):
        d = form.cleaned_data
        return actions.transfer_account(
            self.account,
            new_holder=form.customer_choice(),
            on=d["on"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Account %(account)s now held by %(holder)s.") % {
            "account": self.account.display_number,
            "holder": shown_name(self.result.customer),
        }


class HouseholdCountView(OperationView):
    permission_required = "customers.change_households"
    form_class = forms.HouseholdCountForm
    title = gettext_lazy("Change the household count (세대분할)")
    intro = gettext_lazy(
        "Bills from the effective date on are computed per household; earlier periods keep their count."
    )

    def get_initial(self):
        return {"effective_from": today()}

    def perform(self, form):
        d = form.cleaned_data
        return actions.change_household_count(
            self.premise,
            households=d["households"],
            effective_from=d["effective_from"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Household count recorded.")


class SuspendView(OperationView):
    permission_required = "customers.operate_service"
    form_class = forms.SuspendForm
    title = gettext_lazy("Suspend for a long absence")
    submit_label = gettext_lazy("Suspend")

    def perform(self, form):
        d = form.cleaned_data
        return actions.suspend_account(
            self.account,
            on=d["on"],
            reading=d["reading"],
            rolled_over=d["rolled_over"],
            planned_resume_on=d["planned_resume_on"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Account %(account)s suspended.") % {"account": self.account.display_number}


class ResumeView(OperationView):
    permission_required = "customers.operate_service"
    form_class = forms.ResumeForm
    title = gettext_lazy("Resume service")
    submit_label = gettext_lazy("Resume")

    def perform(self, form):
        d = form.cleaned_data
        return actions.resume_account(
            self.account,
            on=d["on"],
            reading=d["reading"],
            rolled_over=d["rolled_over"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Account %(account)s resumed.") % {"account": self.account.display_number}


class ReplaceMeterView(OperationView):
    permission_required = "customers.replace_meter"
    form_class = forms.ReplaceMeterForm
    title = gettext_lazy("Replace or install a meter")
    fieldsets = [
        (gettext_lazy("Old meter"), ["removal_reading", "removal_rolled_over", "removal_reason"]),
        (gettext_lazy("New meter"), ["new_serial", "new_diameter_mm", "new_dials", "install_reading"]),
        ("", ["on", "reason"]),
    ]

    def perform(self, form):
        d = form.cleaned_data
        return actions.replace_meter(
            self.premise,
            on=d["on"],
            removal_reading=d["removal_reading"],
            removal_rolled_over=d["removal_rolled_over"],
            removal_reason=d["removal_reason"],
            new_meter=actions.MeterSpec(
                serial=d["new_serial"], diameter_mm=d["new_diameter_mm"], dials=d["new_dials"]
            ),
            install_reading=d["install_reading"],
            reason=d["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Meter %(serial)s installed.") % {"serial": self.result.meter.serial}


class EditCustomerView(OperationView):
    permission_required = "customers.edit_customer"
    form_class = forms.EditCustomerForm
    template_name = "customers/edit_customer.html"
    title = gettext_lazy("Correct customer details")
    intro = gettext_lazy(
        "Fill in only what changes; empty fields keep their current value. "
        "A new holder is a change of holder, not a correction."
    )

    def load_subject(self):
        self.premise = premise_or_404(self.kwargs["pk"])
        self.account = None
        self.customer = customer_at_premise(self.premise, self.kwargs["customer_id"])
        if self.customer is None:
            raise Http404(_("This customer has no account at this premise."))

    def get_initial(self):
        return {}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"customer": self.customer}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"current": CustomerView.of(self.customer)}

    def perform(self, form):
        return actions.update_customer(
            self.customer,
            changes=form.changes(),
            reason=form.cleaned_data["reason"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Customer %(number)s updated.") % {"number": self.customer.number}


class RegisterPremiseView(PermissionRequiredMixin, FormView):
    permission_required = "customers.register_premise"
    form_class = forms.RegisterPremiseForm
    template_name = "customers/operation.html"

    def form_valid(self, form):
        d = form.cleaned_data
        details = actions.PremiseDetails(**{k: d[k] for k in form.Meta.fields})
        try:
            premise = actions.register_premise(
                details, households=d["households"], acting_user=self.request.user
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Premise registered. Install a meter, then start service."))
        return redirect("household", pk=premise.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            title=_("Register a premise"),
            submit_label=_("Register"),
            fieldsets=[("", [form[name] for name in form.fields])],
        )
        return context


def customer_redirect(request, number: str):
    """Open the household of a customer's most recent account (links from other pages)."""
    customer = get_object_or_404(Customer, number=number)
    account = customer.accounts.order_by("-start_date").first()
    if account is None:
        return redirect(reverse("search") + f"?q={number}")
    return redirect("household", pk=account.premise_id)
