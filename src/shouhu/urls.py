from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("shouhu.api.urls")),
    path("account/", include("shouhu.accounts.urls")),
    path("", include("shouhu.visits.urls")),
    path("", include("shouhu.cases.urls")),
    path("", include("shouhu.assistance.urls")),
    path("", include("shouhu.documents.urls")),
    path("", include("shouhu.referrals.urls")),
    path("", include("shouhu.privacy.urls")),
    path("", include("shouhu.insight.urls")),
    path("", include("shouhu.imports.urls")),
    path("", include("shouhu.quarterly.urls")),
    path("", include("shouhu.exports.urls")),
    path("", include("shouhu.crosschecks.urls")),
    path("", include("shouhu.web.urls")),
]
