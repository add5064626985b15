from django.contrib import admin

from .models import DeclaredEvent, ResidentCount, SeasonalWindow


@admin.register(SeasonalWindow)
class SeasonalWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "starts", "ends", "min_ratio", "use_types", "active"]


@admin.register(DeclaredEvent)
class DeclaredEventAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "starts_on", "ends_on", "note"]
    raw_id_fields = ["account"]
    list_filter = ["kind"]


@admin.register(ResidentCount)
class ResidentCountAdmin(admin.ModelAdmin):
    list_display = ["account", "residents", "effective_from", "reason"]
    raw_id_fields = ["account"]
