from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import MeterReading


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyAdmin):
    list_display = ["meter", "read_on", "value", "kind", "rolled_over", "account"]
    list_filter = ["kind"]
    search_fields = ["=meter__serial"]
    list_select_related = ["meter", "account"]
