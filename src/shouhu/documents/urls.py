from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("children/<uuid:pk>/documents/guardianship.pdf", views.guardianship, name="guardianship"),
    path("alerts/<uuid:alert_id>/notice.pdf", views.alert_notice, name="alert_notice"),
    path("cases/<uuid:case_id>/notice.pdf", views.case_notice, name="case_notice"),
    path("cases/<uuid:case_id>/summary.pdf", views.case_summary, name="case_summary"),
    path(
        "assistance/applications/<uuid:application_id>/form.pdf",
        views.application_form,
        name="application_form",
    ),
]
