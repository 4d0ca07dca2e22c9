"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("regions", api.RegionViewSet, basename="region")

urlpatterns: list = router.urls
