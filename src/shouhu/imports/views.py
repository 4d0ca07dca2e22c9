"""Upload a register, read the dry run's report, confirm the matches, commit."""

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access

from . import services
from .template import template_xlsx

TOKEN = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")


def _store() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    user = request.user
    if not access.can_create_children(user):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "imports/upload.html")
    if "token" in request.POST:
        return _commit(request)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("请选择要导入的文件。"))
        return redirect("imports:upload")
    result = services.import_register(actor=user, upload=file)
    token = ""
    if result.ok and (result.counts or result.confirm):
        # Kept (under the user's id) for the commit, which reads it again from the start.
        suffix = "xlsx" if file.name.lower().endswith(".xlsx") else "csv"
        token = f"{uuid.uuid4().hex}.{suffix}"
        file.seek(0)
        (_store() / f"{user.pk}-{token}").write_bytes(file.read())
    log_access(request=request, action=Action.CREATE, query=f"import dry run: {file.name}")
    return render(request, "imports/upload.html", {"result": result, "token": token, "filename": file.name})


def _commit(request):
    user = request.user
    token = request.POST.get("token", "")
    path = _store() / f"{user.pk}-{token}"
    if not TOKEN.match(token) or not path.exists():
        messages.error(request, _("找不到这次上传的文件，请重新上传。"))
        return redirect("imports:upload")
    confirmed = frozenset(int(n) for n in request.POST.getlist("confirm") if n.isdigit())
    upload = SimpleUploadedFile(f"import.{token.rsplit('.', 1)[1]}", path.read_bytes())
    result = services.import_register(actor=user, upload=upload, commit=True, confirmed=confirmed)
    log_access(request=request, action=Action.CREATE, query=f"import commit: {token}")
    if not result.committed:
        return render(request, "imports/upload.html", {"result": result, "token": "", "filename": ""})
    path.unlink(missing_ok=True)
    messages.success(
        request,
        _("导入完成：新登记 %(new)s 名，更新 %(update)s 名，未变 %(same)s 名，跳过 %(skipped)s 名。")
        % {
            "new": result.counts["new"],
            "update": result.counts["update"],
            "same": result.counts["unchanged"],
            "skipped": result.counts["confirm"],
        },
    )
    return redirect("children:list")


@login_required
@require_GET
def template(request):
    if not access.can_create_children(request.user):
        raise PermissionDenied
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="shouhu-import-template.xlsx"'
    return response
