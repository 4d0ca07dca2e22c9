from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("children", views.ChildViewSet, basename="child")
router.register("regions", views.RegionViewSet, basename="region")

v1 = [
    path("auth/token/", views.ObtainToken.as_view(), name="token"),
    *router.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include((v1, "v1"))),
]
