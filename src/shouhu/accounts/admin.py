from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Grant, Organisation, User, WelfareWorker


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("职责"), {"fields": ("full_name", "role", "region", "organisation", "phone")}),
    )
    list_display = ["username", "full_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["region"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    autocomplete_fields = ["region"]


@admin.register(WelfareWorker)
class WelfareWorkerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "full_time", "government_purchased", "allowance"]
    list_filter = ["kind", "full_time", "government_purchased"]
    autocomplete_fields = ["region", "user"]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["user", "child", "reason", "starts_at", "ends_at"]
    list_filter = ["reason"]
    raw_id_fields = ["user", "child", "granted_by"]
