from django.contrib import admin

from .models import QuarterlyReport


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "quarter", "version", "job_status", "status", "requested_at")
    list_filter = ("year", "quarter", "job_status", "status")
    readonly_fields = [f.name for f in QuarterlyReport._meta.fields]

    def has_add_permission(self, request):
        return False
