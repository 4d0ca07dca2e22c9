from django.urls import path

from . import api

app_name = "audit-api"

urlpatterns = [
    path("access-log/", api.AccessLogList.as_view(), name="access-log"),
    path("changes/", api.ChangeList.as_view(), name="changes"),
]
