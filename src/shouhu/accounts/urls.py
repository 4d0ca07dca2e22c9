from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("language/", views.language, name="language"),
    path("otp/", views.otp_verify, name="otp-verify"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("tokens/revoke/", views.token_revoke, name="token-revoke"),
    path("tokens/revoke-all/", views.tokens_revoke_all, name="tokens-revoke-all"),
]
