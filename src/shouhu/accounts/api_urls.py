"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_devices, api_emergency

router = SimpleRouter()
router.register("auth/tokens", api.ApiTokenViewSet, basename="api-token")
router.register("auth/devices", api_devices.DeviceViewSet, basename="otp-device")
router.register("emergency-openings", api_emergency.EmergencyOpeningViewSet, basename="emergency-opening")

urlpatterns: list = [path("auth/token/", api.ObtainToken.as_view(), name="token"), *router.urls]
