from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AccountDeactivation, ApiToken, Grant, Organisation, User, WelfareWorker


@admin.action(description=_("在所有设备上退出（结束会话并撤销 API 令牌）"))
def sign_out_everywhere(modeladmin, request, queryset):
    for user in queryset:
        services.sign_out_everywhere(user=user)
    modeladmin.message_user(request, _("已让 %(n)d 个账号在所有设备上退出。") % {"n": queryset.count()})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("职责"), {"fields": ("full_name", "role", "region", "organisation", "phone", "language")}),
    )
    list_display = ["username", "full_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["region"]
    actions = [sign_out_everywhere]


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
    list_display = ["user", "child", "reason", "note_in_words", "starts_at", "ends_at"]
    list_filter = ["reason"]
    raw_id_fields = ["user", "child", "granted_by"]
    exclude = ["note_code", "note_params"]

    @admin.display(description=_("说明"))
    def note_in_words(self, grant: Grant) -> str:
        return grant.text


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators list and revoke (delete) anyone's API tokens; the tokens themselves are never shown."""

    list_display = ["id", "user", "created", "expiry"]
    list_filter = ["created"]
    search_fields = ["user__username", "user__full_name"]
    fields = ["id", "user", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccountDeactivation)
class AccountDeactivationAdmin(admin.ModelAdmin):
    list_display = ["user", "successor", "actor", "at", "items_moved", "grants_moved", "reason"]
    readonly_fields = [f.name for f in AccountDeactivation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
