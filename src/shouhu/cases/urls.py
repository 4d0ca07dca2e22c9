from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<uuid:alert_id>/mark/", views.alert_mark, name="alert_mark"),
    path("alerts/<uuid:alert_id>/close/", views.alert_close, name="alert_close"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<uuid:report_id>/", views.report_detail, name="report"),
    path("reports/<uuid:report_id>/link/", views.report_link, name="report_link"),
    path("reports/<uuid:report_id>/case/", views.report_case, name="report_case"),
    path("reports/<uuid:report_id>/close/", views.report_close, name="report_close"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case"),
    path("cases/<uuid:case_id>/step/", views.case_step, name="case_step"),
    path("cases/<uuid:case_id>/approve/", views.case_approve, name="case_approve"),
    path("cases/<uuid:case_id>/tasks/", views.case_task_add, name="case_task_add"),
    path("cases/<uuid:case_id>/tasks/<uuid:task_id>/done/", views.case_task_done, name="case_task_done"),
    path("children/<uuid:pk>/report/", views.child_report, name="child_report"),
    path("children/<uuid:pk>/cases/new/", views.case_new, name="case_new"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<slug:rule_code>/", views.rule_edit, name="rule"),
]
