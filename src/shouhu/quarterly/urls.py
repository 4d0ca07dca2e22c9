from django.urls import path

from . import views

app_name = "quarterly"

urlpatterns = [
    path("quarterly/", views.report_list, name="list"),
    path("quarterly/new/", views.report_new, name="new"),
    path("quarterly/townships/", views.townships, name="townships"),
    path("quarterly/<uuid:quarterly_id>/", views.report_detail, name="report"),
    path("quarterly/<uuid:quarterly_id>/status/", views.report_status, name="status"),
    path("quarterly/<uuid:quarterly_id>/report.pdf", views.report_download, {"kind": "pdf"}, name="pdf"),
    path("quarterly/<uuid:quarterly_id>/report.xlsx", views.report_download, {"kind": "xlsx"}, name="xlsx"),
    path("quarterly/<uuid:quarterly_id>/submit/", views.report_submit, name="submit"),
    path("quarterly/<uuid:quarterly_id>/acknowledge/", views.report_acknowledge, name="acknowledge"),
    path("quarterly/<uuid:quarterly_id>/return/", views.report_return, name="return"),
]
