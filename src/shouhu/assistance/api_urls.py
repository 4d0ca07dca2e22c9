"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("assistance-types", api.AssistanceTypeViewSet, basename="assistance-type")
router.register("assistance-applications", api.ApplicationViewSet, basename="assistance-application")

urlpatterns: list = router.urls
