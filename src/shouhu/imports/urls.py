from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.upload, name="upload"),
    path("imports/template.xlsx", views.template, name="template"),
    path("imports/<uuid:import_id>/", views.job, name="job"),
    path("imports/<uuid:import_id>/status.json", views.status, name="status"),
    path("imports/<uuid:import_id>/errors.xlsx", views.errors, name="errors"),
]
