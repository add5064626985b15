from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LocalizedNameMixin(models.Model):
    """Reference data named in Korean with an English name for the English console."""

    name = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class BranchOffice(LocalizedNameMixin):
    """A branch office (수도사업소): serves the premises of its districts."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("branch office")
        verbose_name_plural = _("branch offices")
        ordering = ["code"]


class District(LocalizedNameMixin):
    """A service district (e.g. a 구); every premise lies in one, and so belongs to its office."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    office = models.ForeignKey(
        BranchOffice, verbose_name=_("branch office"), on_delete=models.PROTECT, related_name="districts"
    )
    city = models.CharField(_("city / province (시도)"), max_length=40)

    class Meta:
        verbose_name = _("service district")
        verbose_name_plural = _("service districts")
        ordering = ["code"]


class Skill(LocalizedNameMixin):
    """A field specialty (leak detection, meter work, water quality …); request types need them, crews have them."""

    code = models.CharField(_("code"), max_length=16, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]


class User(AbstractUser):
    """A member of staff. What they may do comes from their role (a group, see roles.py)."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    office = models.ForeignKey(
        BranchOffice,
        verbose_name=_("branch office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Empty for central teams such as the call centre."),
    )
    skills = models.ManyToManyField(
        Skill,
        verbose_name=_("skills"),
        blank=True,
        related_name="staff",
        help_text=_("Field specialties, used when crews are chosen for a visit."),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def role_labels(self) -> list[str]:
        from .roles import role_label

        return [role_label(group.name) for group in self.groups.all()]
