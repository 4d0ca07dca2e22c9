"""Dashboards by jurisdiction: each user starts at their own level and drills down; those whose
jurisdiction covers a province (administrators, provincial staff) also reach the province, by county."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from shouhu.accounts import access
from shouhu.accounts.selectors import townships_without_supervisor
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.regions.codes import Level, level_of

from . import selectors
from .forms import PeriodForm


@login_required
@require_GET
def home(request):
    """The dashboard of the user's own jurisdiction; a user without one sees why there is none."""
    roots = list(access.region_roots_for(request.user)[:2])
    if len(roots) == 1:
        return redirect("insight:region", code=roots[0].code)
    if roots:  # everywhere: start at the counties loaded
        counties = access.regions_visible_to(request.user).filter(level=Level.COUNTY).order_by("code")[:1]
        if counties:
            return redirect("insight:region", code=counties[0].code)
    return render(request, "insight/none.html")


@login_required
@require_GET
def region(request, code):
    place = access.get_region_for(request.user, code)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    board = selectors.dashboard(user=request.user, region=place, start=start, end=end)
    log_access(request=request, action=Action.LIST)
    trail = []
    parent = place.parent
    top = access.territory_code(request.user)
    while (
        parent is not None
        and level_of(parent.code) >= Level.PROVINCE
        and (not top or parent.code.startswith(top))
    ):
        trail.insert(0, parent)
        parent = parent.parent
    charts = {
        "categories": [[c["name"], c["n"]] for c in board.categories],
        "ages": [[a["band"], a["n"]] for a in board.ages],
        "alerts": [[a["label"], a["n"]] for a in board.alerts],
        "areas": [[a["name"], a["children"], a["left_behind"], a["difficulty"]] for a in board.areas],
    }
    context = {
        "board": board,
        "unstaffed": list(townships_without_supervisor(within=place.code))
        if level_of(place.code) <= Level.TOWNSHIP
        else [],
        "form": form,
        "trail": trail,
        "charts": charts,
        "query": request.GET.urlencode(),
    }
    return render(request, "insight/dashboard.html", context)
