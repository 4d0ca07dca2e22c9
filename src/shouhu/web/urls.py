from django.contrib.auth import views as auth_views
from django.urls import include, path

from shouhu.audit import urls as audit_urls
from shouhu.children import views as child_views

from . import views
from .forms import SignInForm

children_patterns = (
    [
        path("", views.child_list, name="list"),
        path("new/", views.child_create, name="create"),
        path("emergency/", views.child_break_glass, name="emergency"),
        path("<uuid:pk>/", views.child_detail, name="detail"),
        path("<uuid:pk>/photo", views.child_photo, name="photo"),
        path("<uuid:pk>/edit/", views.child_edit, name="edit"),
        path("<uuid:pk>/household/", child_views.child_household, name="household"),
    ],
    "children",
)

audit_patterns = (audit_urls.urlpatterns, "audit")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("children/", include(children_patterns)),
    path("audit/", include(audit_patterns)),
]
