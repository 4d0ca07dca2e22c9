"""The API routes of this module, mounted under /api/v1/ (namespace v1)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("visits", api.VisitViewSet, basename="visit")
router.register("investigations", api.InvestigationViewSet, basename="investigation")
router.register("investigation-items", api.InvestigationItemViewSet, basename="investigation-item")
router.register("homes", api.ChildrensHomeViewSet, basename="childrens-home")
router.register("sessions", api.ActivitySessionViewSet, basename="activity-session")
router.register("visit-policies", api.VisitPolicyViewSet, basename="visit-policy")

urlpatterns: list = router.urls
