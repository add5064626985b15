from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ChunkStatus, RunExceptionReason, RunStatus


class BillingRun(models.Model):
    """The billing of one cycle for one month, and its record: progress, counts, totals, errors.

    Started again, the same run resumes its unfinished chunks, or, when all are done,
    passes once more over the accounts still without a bill (their exceptions may have
    been resolved since).
    """

    cycle = models.ForeignKey("customers.BillingCycle", on_delete=models.PROTECT, related_name="runs")
    period = models.DateField(_("billing month"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    read_on = models.DateField(_("reading day"))
    previous_read_on = models.DateField(_("previous reading day"))
    window_from = models.DateField(_("readings from"))
    window_to = models.DateField(_("readings to"))
    passes = models.PositiveSmallIntegerField(_("passes"), default=0)
    scope_accounts = models.PositiveIntegerField(_("accounts in the cycle"), default=0)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    bills = models.PositiveIntegerField(_("bills"), default=0)
    bills_estimated = models.PositiveIntegerField(_("estimated bills"), default=0)
    exceptions = models.PositiveIntegerField(_("exceptions"), default=0)
    unaccounted = models.PositiveIntegerField(_("unaccounted accounts"), default=0)
    amount_total = models.BigIntegerField(_("amount billed (won)"), default=0)
    water_m3 = models.BigIntegerField(_("water billed (m³)"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-period", "cycle__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "period"], name="one_run_per_cycle_period")]

    def __str__(self):
        return f"{self.cycle} {self.period:%Y-%m}"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.chunks_total else self.chunks_done * 100 // self.chunks_total

    @property
    def finished(self) -> bool:
        return self.status != RunStatus.RUNNING


class BillingRunChunk(models.Model):
    """A range of account ids any worker may take; done in one transaction, so a killed worker leaves it waiting."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    pass_number = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    first_account_id = models.BigIntegerField()
    last_account_id = models.BigIntegerField()
    # The chunk's accounts themselves: a cycle's accounts are spread over the whole id range,
    # so the range alone would make every chunk read every cycle's accounts in it.
    account_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    accounts = models.PositiveIntegerField(default=0)
    bills = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "pass_number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "pass_number", "number"], name="run_chunk_unique"),
        ]
        indexes = [models.Index(fields=["run", "status"], name="run_chunk_status")]

    def __str__(self):
        return f"{self.run_id}/{self.pass_number}/{self.number}"


class RunException(models.Model):
    """An account of the run's cycle that has no bill for the period, and why."""

    # The run's lookups use run_exception_one_per_account (run, account); an index on the run
    # alone would be redundant, and the reconciliation, run before the new rows are analysed,
    # would read through it all of a run's exceptions for every account.
    run = models.ForeignKey(
        BillingRun, on_delete=models.CASCADE, related_name="account_exceptions", db_index=False
    )
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=RunExceptionReason.choices)
    # Language-neutral: the figures of the reason's sentence (shown in the reader's language by
    # ``shown_detail``), or, for a missing tariff schedule, its codes in ``detail``.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    detail_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("billing exception")
        verbose_name_plural = _("billing exceptions")
        ordering = ["run", "reason", "account"]
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="run_exception_one_per_account")
        ]

    def __str__(self):
        return f"{self.account_id}: {self.reason}"

    @property
    def shown_detail(self) -> str:
        return detail_text(self.reason, self.detail, self.detail_params)


# The sentence of each reason that has figures; filled in when shown, in the reader's language.
_DETAIL_TEXTS = {
    RunExceptionReason.HELD_READING: _("Reading of %(date)s waits for review."),
    RunExceptionReason.NO_READING: _(
        "%(days)s days of readings in the last year; %(needed)s are needed to estimate."
    ),
    RunExceptionReason.NO_TARIFF: _("No tariff version is in force on %(date)s."),
}


def detail_text(reason: str, detail: str, params: dict) -> str:
    """An exception's detail in the active language."""
    if params and reason in _DETAIL_TEXTS:
        return str(_DETAIL_TEXTS[reason]) % params
    return detail
