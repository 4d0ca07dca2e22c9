"""Dashboards by jurisdiction: each user starts at their own level and drills down; those whose
jurisdiction covers a province (administrators, provincial staff) also reach the province, by county."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouhu.accounts import access
from shouhu.accounts.selectors import townships_without_supervisor, watches_director_gaps
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.regions.codes import Level, level_of

from . import selectors
from .forms import PeriodForm


def _url(name: str, code: str | None = None, **query) -> str:
    url = reverse(name, kwargs={"code": code} if code else None)
    query = {k: v for k, v in query.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


def _work_url(oversees: bool, code: str, **query) -> str:
    """The work list behind a figure: the area's items for those who oversee the villages' work, the
    reader's own items otherwise (a director's dashboard is her village)."""
    if not oversees:
        return _url("visits:work", kind=query.get("kind", ""))
    return _url("visits:work", region=code, show="items", **query)


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
    oversees = watches_director_gaps(request.user)
    for area in board.areas:
        area["overdue_url"] = _work_url(oversees, area["code"], overdue="1")
        area["alerts_url"] = _url("cases:alerts", region=area["code"])
        area["cases_url"] = _url("cases:cases", region=area["code"])
    points = selectors.trend(region=place)
    for point in points:
        point.url = _url("insight:region", code=place.code, quarter=f"{point.label[:4]}-{point.label[4:]}")
        point.overdue_url = _work_url(
            oversees, place.code, kind="visit", overdue="1", due_from=point.start, due_to=point.end
        )
    links = {
        "overdue": _work_url(oversees, place.code, kind="visit", overdue="1", due_from=start, due_to=end),
        "cases": _url("cases:cases", region=place.code),
        "alerts": _url("cases:alerts", region=place.code),
    }
    charts = {
        "categories": [[c["name"], c["n"]] for c in board.categories],
        "ages": [[a["band"], a["n"]] for a in board.ages],
        "alerts": [[a["label"], a["n"]] for a in board.alerts],
        "areas": [[a["name"], a["children"], a["left_behind"], a["difficulty"]] for a in board.areas],
        "trend": {
            "labels": [p.label for p in points],
            "urls": [p.url for p in points],
            "series": [
                [str(_("逾期未走访")), [p.overdue for p in points]],
                [str(_("按时完成")), [p.on_time for p in points]],
                [str(_("逾期完成")), [p.late for p in points]],
                [str(_("走访记录")), [p.recorded for p in points]],
            ],
        },
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
        "trend": points,
        "links": links,
    }
    return render(request, "insight/dashboard.html", context)
