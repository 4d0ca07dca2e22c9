from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("shouhu.api.urls")),
    path("", include("shouhu.visits.urls")),
    path("", include("shouhu.cases.urls")),
    path("", include("shouhu.insight.urls")),
    path("", include("shouhu.imports.urls")),
    path("", include("shouhu.web.urls")),
]
