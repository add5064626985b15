from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import BranchOffice, District, User


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0


@admin.register(BranchOffice)
class BranchOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "phone"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "city", "office"]
    list_filter = ["office"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "office", "is_active", "last_login"]
    list_filter = ["groups", "office", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Suido"), {"fields": ["full_name", "office"]}),
    ]
