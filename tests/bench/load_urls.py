"""The application's URLs, and the framework floor of the load benchmark: endpoints that do what every
list does before and after its own queries (sign-in, the user's area and grants, the access-log write)
and nothing else. Served only by ``tests/bench/load.py``."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

from shouhu.accounts import access
from shouhu.audit.services import Action, log_access

EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def scoping_setup(user) -> None:
    access.territory_code(user)
    list(access.granted_child_ids(user, timezone.now()))


class ApiFloor(APIView):
    def get(self, request):
        scoping_setup(request.user)
        log_access(request=request, action=Action.LIST)
        return Response({"count": 0, "next": None, "previous": None, "results": []})


@login_required
def page_floor(request):
    scoping_setup(request.user)
    log_access(request=request, action=Action.LIST)
    return HttpResponse(EMPTY_PAGE.render({}, request))


urlpatterns = [
    path("bench/api-floor/", ApiFloor.as_view()),
    path("bench/page-floor/", page_floor),
    path("", include("shouhu.urls")),
]
