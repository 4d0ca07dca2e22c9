from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("work/", views.work, name="work"),
    path("work/items/<uuid:item_id>/reassign/", views.item_reassign, name="item_reassign"),
    path("work/notifications/", views.notification_list, name="notifications"),
    path("work/notifications/read/", views.notifications_read, name="notifications_read"),
    path("children/<uuid:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/policy/", views.policy, name="policy"),
    path("investigations/", views.investigation_list, name="investigations"),
    path("investigations/<uuid:investigation_id>/", views.investigation_detail, name="investigation"),
    path(
        "investigations/<uuid:investigation_id>/close/", views.investigation_close, name="investigation_close"
    ),
    path(
        "investigations/<uuid:investigation_id>/checks/<uuid:check_id>/confirm/",
        views.check_confirm,
        name="check_confirm",
    ),
    path("homes/", views.home_list, name="homes"),
    path("homes/<uuid:home_id>/sessions/new/", views.session_new, name="session_new"),
]
