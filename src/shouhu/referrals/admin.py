from django.contrib import admin

from .models import Provider, ServiceType


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order", "active"]
    list_editable = ["order", "active"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "accepting"]
    list_filter = ["kind", "accepting"]
    filter_horizontal = ["services"]
    raw_id_fields = ["organisation"]
    autocomplete_fields = ["areas"]
