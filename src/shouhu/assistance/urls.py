from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("assistance/", views.application_list, name="list"),
    path("children/<uuid:pk>/assistance/new/", views.application_new, name="new"),
    path("assistance/applications/<uuid:application_id>/", views.application_detail, name="application"),
    path("assistance/applications/<uuid:application_id>/approve/", views.application_approve, name="approve"),
    path("assistance/applications/<uuid:application_id>/return/", views.application_return, name="return"),
    path(
        "assistance/applications/<uuid:application_id>/resubmit/", views.application_resubmit, name="resubmit"
    ),
    path("assistance/applications/<uuid:application_id>/payments/", views.payment_new, name="payment"),
    path("assistance/applications/<uuid:application_id>/stop/", views.application_stop, name="stop"),
]
