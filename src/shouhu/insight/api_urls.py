"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from django.urls import path

from . import api

urlpatterns = [path("regions/<str:code>/dashboard/", api.DashboardView.as_view(), name="dashboard")]
