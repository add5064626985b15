"""Reference data (cycles, routes) is edited here; registry records are read-only.

Customers, accounts, meters and their histories change only through the audited
operations of the console, so the admin shows them and never edits them.
Customer records are not listed at all: their personal data is shown masked in
the console and revealed there with a logged reason.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Account, BillingCycle, Meter, MeterInstallation, Premise, ReadingRoute


@admin.register(BillingCycle)
class BillingCycleAdmin(admin.ModelAdmin):
    list_display = ["code", "read_day", "months"]


@admin.register(ReadingRoute)
class ReadingRouteAdmin(admin.ModelAdmin):
    list_display = ["code", "office", "cycle"]
    list_filter = ["office", "cycle"]
    search_fields = ["code"]


@admin.register(Premise)
class PremiseAdmin(ReadOnlyAdmin):
    list_display = ["id", "address_line", "building_use", "district", "route"]
    list_filter = ["building_use", "district__office"]
    search_fields = ["=id", "address_line"]
    list_select_related = ["district", "route"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["number", "use_type", "status", "start_date", "end_date", "premise"]
    list_filter = ["status", "use_type"]
    search_fields = ["=number"]
    list_select_related = ["premise"]
    exclude = ["customer"]


@admin.register(Meter)
class MeterAdmin(ReadOnlyAdmin):
    list_display = ["serial", "diameter_mm", "dials", "manufacturer", "remote_read"]
    search_fields = ["=serial"]


@admin.register(MeterInstallation)
class MeterInstallationAdmin(ReadOnlyAdmin):
    list_display = ["meter", "premise", "installed_on", "install_reading", "removed_on", "removal_reading"]
    search_fields = ["=meter__serial", "=premise__id"]
    list_select_related = ["meter", "premise"]
