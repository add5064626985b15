"""Collection console: the dunning worklist, its letters, "run now", and the household's arrears panel with
protection and payment arrangements. Each view parses, authorises, calls an action and renders."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from billing.documents.fonts import BillFontMissing
from billing.documents.views import unavailable
from core.dates import today as seoul_today
from customers.views import OperationView, premise_or_404

from ..choices import ArrangementStatus
from ..dunning import panels
from ..dunning.arrangements import cancel_arrangement, make_arrangement
from ..dunning.forms import ArrangementForm, ProtectionForm, ReasonForm, RunForm, WorklistFilter
from ..dunning.letters import letter_steps, letters_pdf
from ..dunning.protection import end_protection, register_protection
from ..dunning.run import run_dunning
from ..dunning.stages import overdue_bills
from ..models import PaymentArrangement, Protection

VIEW_HOUSEHOLD = "customers.view_household"
VIEW_BILLS = "billing.view_bill"
VIEW_DUNNING = "collection.view_dunning"
RUN_DUNNING = "collection.run_dunning"
PROTECT = "collection.protect_account"
ARRANGE = "collection.arrange_payments"
PAGE_SIZE = 50
LETTERS_PER_FILE = 500


@login_required
@permission_required(VIEW_DUNNING, raise_exception=True)
@require_GET
def worklist(request):
    """Today's and recent steps by stage, and the accounts in arrears at each stage with what comes next."""
    today = seoul_today()
    office = getattr(request.user, "office", None)
    form = WorklistFilter(request.GET or None, initial={"office": office, "day": today})
    office_shown, stage, day = (office if not request.GET else None), "", today
    if form.is_valid():
        office_shown = form.cleaned_data["office"]
        stage = form.cleaned_data["stage"]
        day = form.cleaned_data["day"] or today
    episodes = panels.open_episodes(office_shown, stage)
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = panels.worklist_rows(page.object_list, today)
    query = {
        k: v for k, v in {"office": office_shown.pk if office_shown else "", "stage": stage}.items() if v
    }
    summary = panels.summary(day, office_shown)
    letters = []
    for count in summary["day"]:
        for part in range((count.count + LETTERS_PER_FILE - 1) // LETTERS_PER_FILE):
            letters.append(
                {
                    "label": count.label,
                    "part": part + 1,
                    "parts": (count.count + LETTERS_PER_FILE - 1) // LETTERS_PER_FILE,
                    "url": reverse("dunning-letters")
                    + "?"
                    + urlencode({"day": day.isoformat(), "stage": count.stage, "part": part + 1, **query}),
                }
            )
    context = {
        "form": form,
        "office": office_shown,
        "stage": stage,
        "day": day,
        "today": today,
        "summary": summary,
        "page": page,
        "rows": rows,
        "page_query": urlencode({**query, "day": day.isoformat()}),  # "query" is the top search box's
        "letters": letters,
        "runs": panels.recent_runs(),
        "run_form": RunForm(initial={"on": today}),
        "min_amount": panels.config().min_amount,
    }
    return render(request, "collection/dunning/worklist.html", context)


@login_required
@permission_required(RUN_DUNNING, raise_exception=True)
@require_POST
def run_now(request):
    """Run the daily job now (the same action as the schedule), for today or a day missed."""
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day to run for."))
        return redirect("dunning-worklist")
    try:
        run = run_dunning(form.cleaned_data["on"], acting_user=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _(
                "Dunning run for %(on)s: %(fees)s late fees, %(reminders)s reminders, %(notices)s disconnection "
                "notices, %(orders)s disconnection orders."
            )
            % {
                "on": run.on.isoformat(),
                "fees": run.late_fees,
                "reminders": run.reminders,
                "notices": run.notices,
                "orders": run.disconnections,
            },
        )
    return redirect("dunning-worklist")


def _pdf(content: bytes, filename: str, request) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a proxy or the browser
    return response


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(VIEW_BILLS, raise_exception=True)
@require_GET
def letter(request, pk: int):
    """The letter a step left, as it was sent (from what the step recorded)."""
    step = get_object_or_404(letter_steps(), pk=pk)
    try:
        content = letters_pdf([step], title=f"D-{step.pk}")
    except BillFontMissing as missing:
        return unavailable(request, str(missing))
    return _pdf(content, f"letter-{step.account.number}-{step.stage}-{step.on:%Y%m%d}.pdf", request)


@login_required
@permission_required(VIEW_DUNNING, raise_exception=True)
@require_GET
def letters_of_day(request):
    """A day's letters of one stage (for one office), in files of LETTERS_PER_FILE, for printing and mailing."""
    form = WorklistFilter(request.GET)
    if not form.is_valid() or not form.cleaned_data["day"] or not form.cleaned_data["stage"]:
        raise Http404(_("Say which day and stage."))
    d = form.cleaned_data
    steps = letter_steps().filter(on=d["day"], stage=d["stage"])
    if d["office"] is not None:
        steps = steps.filter(account__premise__district__office=d["office"])
    try:
        part = max(1, int(request.GET.get("part", "1")))
    except ValueError:
        part = 1
    chosen = list(steps[(part - 1) * LETTERS_PER_FILE : part * LETTERS_PER_FILE])
    if not chosen:
        raise Http404(_("No letters for that day and stage."))
    try:
        content = letters_pdf(chosen, title=f"{d['stage']} {d['day']:%Y-%m-%d}")
    except BillFontMissing as missing:
        return unavailable(request, str(missing))
    office = f"-{d['office'].code}" if d["office"] else ""
    return _pdf(content, f"letters-{d['stage']}-{d['day']:%Y%m%d}{office}-{part}.pdf", request)


@login_required
@permission_required(VIEW_HOUSEHOLD, raise_exception=True)
@permission_required(VIEW_BILLS, raise_exception=True)
@require_GET
def household_panel(request, pk: int):
    """The household page's arrears panel (loaded by htmx): what is overdue, the stage, protection, arrangement."""
    premise = premise_or_404(pk)
    today = seoul_today()
    return render(
        request,
        "collection/dunning/_household.html",
        {
            "premise": premise,
            "cards": panels.household_panel(premise.pk, today),
            "today": today,
            "min_amount": panels.config().min_amount,
        },
    )


class _DunningOperation(OperationView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(installation=None, last_reading=None)  # the meter says nothing here
        return context


class ProtectionView(_DunningOperation):
    permission_required = PROTECT
    form_class = ProtectionForm
    title = gettext_lazy("Protect from disconnection")
    intro = gettext_lazy(
        "A protected household is never sent a disconnection notice nor disconnected for arrears; it still "
        "receives reminders, which say nothing of disconnection. If its water is off now, it is ordered back on."
    )
    submit_label = gettext_lazy("Register protection")

    def get_initial(self):
        return {"starts_on": seoul_today()}

    def perform(self, form):
        d = form.cleaned_data
        return register_protection(
            self.account,
            reason=d["reason"],
            evidence=d["evidence"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Account %(account)s is protected from disconnection.") % {
            "account": self.account.display_number
        }


class EndProtectionView(_DunningOperation):
    permission_required = PROTECT
    form_class = ReasonForm
    title = gettext_lazy("End the protection")
    submit_label = gettext_lazy("End the protection")

    def load_subject(self):
        super().load_subject()
        self.protection = get_object_or_404(Protection, pk=self.kwargs["protection_id"], account=self.account)

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        p = self.protection
        context["intro"] = _(
            "%(reason)s, since %(start)s. From tomorrow, the household is dunned like any other (notices and "
            "disconnection included)."
        ) % {"reason": p.get_reason_display(), "start": p.starts_on.isoformat()}
        return context

    def perform(self, form):
        return end_protection(
            self.protection, reason=form.cleaned_data["reason"], acting_user=self.request.user
        )

    def get_success_message(self):
        return _("The protection of account %(account)s ends today.") % {
            "account": self.account.display_number
        }


class ArrangementView(_DunningOperation):
    permission_required = ARRANGE
    form_class = ArrangementForm
    template_name = "collection/dunning/arrangement.html"
    title = gettext_lazy("Payment arrangement (분납)")
    submit_label = gettext_lazy("Agree the arrangement")

    def load_subject(self):
        super().load_subject()
        self.today = seoul_today()
        self.bills = list(
            overdue_bills(self.today)
            .filter(account=self.account)
            .order_by("due_on", "id")
            .values("period", "due_on", "late_fee", owed=F("balance__owed"))
        )
        self.arrears = sum(b["owed"] for b in self.bills)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "arrears": self.arrears}

    def get_initial(self):
        return {"installments": 3, "first_due_on": self.today + timedelta(days=14)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            bills=self.bills,
            arrears=self.arrears,
            active=PaymentArrangement.objects.filter(
                account=self.account, status=ArrangementStatus.ACTIVE
            ).first(),
            intro=_(
                "The overdue arrears are split into installments. While each is paid by its date (%(grace)s days "
                "of grace), the account gets no notice and is not disconnected; an installment later than that "
                "ends the arrangement and dunning resumes where it stopped."
            )
            % {"grace": panels.config().arrangement_grace_days},
        )
        return context

    def perform(self, form):
        return make_arrangement(
            self.account,
            schedule=form.schedule(),
            note=form.cleaned_data["note"],
            acting_user=self.request.user,
        )

    def get_success_message(self):
        return _("Payment arrangement agreed: %(count)s installments of account %(account)s.") % {
            "count": self.result.installments.count(),
            "account": self.account.display_number,
        }


class CancelArrangementView(_DunningOperation):
    permission_required = ARRANGE
    form_class = ReasonForm
    title = gettext_lazy("Cancel the payment arrangement")
    intro = gettext_lazy("Dunning resumes at the stage it had reached before the arrangement.")
    submit_label = gettext_lazy("Cancel the arrangement")

    def load_subject(self):
        super().load_subject()
        self.arrangement = get_object_or_404(
            PaymentArrangement,
            pk=self.kwargs["arrangement_id"],
            account=self.account,
            status=ArrangementStatus.ACTIVE,
        )

    def get_initial(self):
        return {}

    def perform(self, form):
        return cancel_arrangement(
            self.arrangement, reason=form.cleaned_data["reason"], acting_user=self.request.user
        )

    def get_success_message(self):
        return _("The payment arrangement of account %(account)s is cancelled.") % {
            "account": self.account.display_number
        }


ACCOUNT = "households/<int:pk>/accounts/<int:account_id>"

urlpatterns = [
    path("arrears/dunning/", worklist, name="dunning-worklist"),
    path("arrears/dunning/run/", run_now, name="dunning-run"),
    path("arrears/dunning/letters/", letters_of_day, name="dunning-letters"),
    path("arrears/dunning/steps/<int:pk>/letter/", letter, name="dunning-letter"),
    path("households/<int:pk>/arrears/", household_panel, name="household-dunning"),
    path(f"{ACCOUNT}/protection/", ProtectionView.as_view(), name="protect-account"),
    path(
        f"{ACCOUNT}/protection/<int:protection_id>/end/", EndProtectionView.as_view(), name="end-protection"
    ),
    path(f"{ACCOUNT}/arrangement/", ArrangementView.as_view(), name="payment-arrangement"),
    path(
        f"{ACCOUNT}/arrangements/<int:arrangement_id>/cancel/",
        CancelArrangementView.as_view(),
        name="cancel-arrangement",
    ),
]
