from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import case_views as cases
from . import insight_views as insight
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

v1 = [
    path("auth/token/", views.ObtainToken.as_view(), name="token"),
    path("regions/<str:code>/dashboard/", insight.DashboardView.as_view(), name="dashboard"),
    *router.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include((v1, "v1"))),
]
