"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("children", api.ChildViewSet, basename="child")

urlpatterns: list = router.urls
