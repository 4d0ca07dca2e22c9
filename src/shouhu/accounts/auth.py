"""API token authentication: django-rest-knox's, without its sweep of the user's other tokens on
every request (one query more per call); expired tokens are refused here and swept when a token is
issued (``services.token_issue``)."""

from axes.backends import AxesStandaloneBackend
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token header."""

    target_class = "shouhu.accounts.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(  # the header's keyword, not a secret
            header_name="Authorization",
            token_prefix="Token",  # nosec B106
        )


class LockoutBackend(AxesStandaloneBackend):
    """django-axes's lock-out check for every sign-in that comes with a request (the sign-in page, the
    admin site, the API token endpoint). A check of a password without a request (a script, a shell)
    has no address to count failures against and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
