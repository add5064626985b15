from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Tariff(models.Model):
    """A utility's water, sewer and water-use charges as its ordinance sets them.

    One tariff is in use: the one the billing run prices with. Its versions say from
    which day which rules apply (see billing/rules.py for the definition format).
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    source = models.TextField(_("sources"), blank=True, help_text=_("The ordinances the figures come from."))
    in_use = models.BooleanField(_("in use for billing"), default=False)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["-in_use", "code"]
        constraints = [
            models.UniqueConstraint(fields=["in_use"], condition=Q(in_use=True), name="one_tariff_in_use"),
        ]
        permissions = [("manage_tariffs", _("Can write and change tariffs"))]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (translation.get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class TariffVersion(models.Model):
    """The tariff's rules from ``effective_from`` until the next version's start."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("effective from"))
    definition = models.JSONField(_("definition"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tariff version")
        verbose_name_plural = _("tariff versions")
        ordering = ["tariff", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "effective_from"], name="tariff_version_one_per_day"),
        ]

    def __str__(self):
        return f"{self.tariff_id} from {self.effective_from}"

    def rules(self):
        from ..rules import parse_rules

        return parse_rules(self.definition, self.effective_from)

    @cached_property
    def parsed_rules(self):
        """The rules, parsed once per loaded version (a billing run prices many groups with one)."""
        return self.rules()
