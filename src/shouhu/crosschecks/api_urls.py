"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("crosschecks", api.CrossCheckViewSet, basename="crosscheck")
router.register("crosscheck-differences", api.DifferenceViewSet, basename="crosscheck-difference")

urlpatterns: list = router.urls
