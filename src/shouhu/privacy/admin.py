"""Read-only in the admin site: every change goes through ``privacy.services`` (the child's privacy page),
which checks who may make it, keeps photo consent and the stored photo in step, and logs it."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Archive, DataBasis, GuardianRequest


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataBasis)
class DataBasisAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["child", "basis", "consent_on", "photo_consent", "recorded_at"]
    list_filter = ["basis", "photo_consent"]


@admin.register(GuardianRequest)
class GuardianRequestAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["child", "kind", "received_on", "due_on", "status", "answered_on"]
    list_filter = ["kind", "status"]


@admin.register(Archive)
class ArchiveAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["child", "reason", "archived_at", "anonymised_at"]
    list_filter = ["reason"]
