from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("referrals/<uuid:referral_id>/accept/", views.referral_accept, name="accept"),
    path("referrals/<uuid:referral_id>/decline/", views.referral_decline, name="decline"),
    path("referrals/<uuid:referral_id>/services/", views.referral_service, name="service"),
    path("referrals/<uuid:referral_id>/close/", views.referral_close, name="close"),
    path("referrals/<uuid:referral_id>/revoke/", views.referral_revoke, name="revoke"),
    path("cases/<uuid:case_id>/refer/", views.referral_new, name="new"),
    path("organisations/", views.provider_list, name="providers"),
]
