from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from shouhu.accounts import access

from .models import Category, Child


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "derived", "order"]


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    """Read-only in the admin; the registry is edited through its forms and services."""

    list_display = ["name", "gender", "birth_date", "region_code"]
    search_fields = ["name", "=id_number"]  # an ID number is found whole, through its keyed hash

    def get_queryset(self, request):
        return access.children_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
