"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("rules", api.RuleSettingViewSet, basename="rule")
router.register("alerts", api.AlertViewSet, basename="alert")
router.register("reports", api.ReportViewSet, basename="report")
router.register("cases", api.CaseViewSet, basename="case")

urlpatterns: list = router.urls
