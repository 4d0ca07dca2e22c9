from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import AnonRateThrottle

from . import assistance_views as assistance
from . import case_views as cases
from . import emergency_views as emergency
from . import import_views as imports
from . import insight_views as insight
from . import referral_views as referrals
from . import token_views as tokens
from . import twofactor_views as twofactor
from . import views
from . import visit_views as visits

router = SimpleRouter()
router.register("children", views.ChildViewSet, basename="child")
router.register("regions", views.RegionViewSet, basename="region")
router.register("visits", visits.VisitViewSet, basename="visit")
router.register("work", visits.WorkItemViewSet, basename="work-item")
router.register("notifications", visits.NotificationViewSet, basename="notification")
router.register("investigations", visits.InvestigationViewSet, basename="investigation")
router.register("investigation-items", visits.InvestigationItemViewSet, basename="investigation-item")
router.register("homes", visits.ChildrensHomeViewSet, basename="childrens-home")
router.register("sessions", visits.ActivitySessionViewSet, basename="activity-session")
router.register("visit-policies", visits.VisitPolicyViewSet, basename="visit-policy")
router.register("rules", cases.RuleSettingViewSet, basename="rule")
router.register("alerts", cases.AlertViewSet, basename="alert")
router.register("reports", cases.ReportViewSet, basename="report")
router.register("cases", cases.CaseViewSet, basename="case")
router.register("assistance-types", assistance.AssistanceTypeViewSet, basename="assistance-type")
router.register("assistance-applications", assistance.ApplicationViewSet, basename="assistance-application")
router.register("service-types", referrals.ServiceTypeViewSet, basename="service-type")
router.register("organisations", referrals.ProviderViewSet, basename="organisation")
router.register("referrals", referrals.ReferralViewSet, basename="referral")
router.register("auth/tokens", tokens.ApiTokenViewSet, basename="api-token")
router.register("auth/devices", twofactor.DeviceViewSet, basename="otp-device")
router.register("emergency-openings", emergency.EmergencyOpeningViewSet, basename="emergency-opening")
router.register("imports", imports.ImportJobViewSet, basename="import-job")

v1 = [
    path("auth/token/", tokens.ObtainToken.as_view(), name="token"),
    path("regions/<str:code>/dashboard/", insight.DashboardView.as_view(), name="dashboard"),
    *router.urls,
    path("", include("shouhu.quarterly.api_urls")),
    path("", include("shouhu.exports.api_urls")),
    path("", include("shouhu.crosschecks.api_urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[AnonRateThrottle]), name="schema"),
    # The split view serves its start-up script as a file (no inline script); Swagger UI styles itself
    # inline, so this page alone allows inline styles.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema", throttle_classes=[AnonRateThrottle])
        ),
        name="api-docs",
    ),
    path("v1/", include((v1, "v1"))),
]
