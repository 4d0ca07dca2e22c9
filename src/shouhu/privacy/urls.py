from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("children/<uuid:pk>/privacy/", views.child_privacy, name="child"),
    path("children/<uuid:pk>/privacy/requests/new/", views.request_new, name="request_new"),
]
