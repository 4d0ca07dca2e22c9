from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.throttling import AnonRateThrottle

# Each app owns its routes (``<app>/api_urls.py``); v1 is their union.
APPS = (
    "accounts",
    "insight",
    "children",
    "regions",
    "visits",
    "escalation",
    "cases",
    "assistance",
    "referrals",
    "imports",
    "quarterly",
    "exports",
    "crosschecks",
)

v1 = [path("", include(f"shouhu.{app}.api_urls")) for app in APPS]

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
    path("v1/audit/", include("shouhu.audit.api_urls")),
    path("v1/", include((v1, "v1"))),
]
