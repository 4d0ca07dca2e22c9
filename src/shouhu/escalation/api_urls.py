"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("work", api.WorkItemViewSet, basename="work-item")
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns: list = router.urls
