"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("service-types", api.ServiceTypeViewSet, basename="service-type")
router.register("organisations", api.ProviderViewSet, basename="organisation")
router.register("referrals", api.ReferralViewSet, basename="referral")

urlpatterns: list = router.urls
