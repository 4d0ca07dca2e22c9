"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from .api import QuarterlyReportViewSet

router = SimpleRouter()
router.register("quarterly-reports", QuarterlyReportViewSet, basename="quarterly-report")

urlpatterns: list = router.urls
