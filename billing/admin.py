"""Tariffs in the admin: an administrator edits a version's definition; it is checked before saving."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import actions
from .models import PrintBatch, Tariff, TariffVersion
from .rules import parse_rules


class TariffVersionForm(forms.ModelForm):
    class Meta:
        model = TariffVersion
        fields = ["tariff", "effective_from", "definition", "notes"]

    def clean(self):
        data = super().clean()
        if data.get("definition") is not None and data.get("effective_from"):
            try:
                parse_rules(data["definition"], data["effective_from"])
            except ValidationError as exc:
                self.add_error("definition", exc)
        return data


class TariffVersionInline(admin.StackedInline):
    model = TariffVersion
    form = TariffVersionForm
    extra = 0
    can_delete = False  # a version bills were priced with stays; a correction is a newer version
    readonly_fields = ["created_by", "created_at"]


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "in_use"]
    inlines = [TariffVersionInline]

    def save_formset(self, request, form, formset, change):
        # Through the action, so every saved version is checked and audited like a loaded file.
        for version in formset.save(commit=False):
            actions.save_tariff_version(
                version.tariff,
                effective_from=version.effective_from,
                definition=version.definition,
                notes=version.notes,
                acting_user=request.user,
            )


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    """Read-only: batches are written by the print-batch action (console or ``print_batch`` command)."""

    list_display = ["run", "number", "status", "bills", "created_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in PrintBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
