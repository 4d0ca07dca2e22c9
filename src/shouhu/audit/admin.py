from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "channel", "child_id", "path", "ip"]
    list_filter = ["action", "channel"]
    search_fields = ["username", "child_id", "path"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _child_field(model):
    """The foreign key of ``model`` to a child, or None."""
    from shouhu.children.models import Child

    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is Child:
            return field
    return None


def _child_related(model) -> bool:
    from shouhu.children.models import Child

    return model is Child or _child_field(model) is not None


def _child_of(model, obj):
    from shouhu.children.models import Child

    if obj is None or model is Child:
        return obj
    return getattr(obj, _child_field(model).name, None)


def log_admin_reads(site=admin.site) -> list:
    """Every admin page about children (the child itself, or a record with a foreign key to one) writes
    the access log as the registry's own pages do: the list as LIST (SEARCH with a search term, which
    ``log_access`` stores hashed when it is an ID number), a record's page and its history as VIEW with
    the child. Applied once to every model registered, at start-up (``AuditConfig.ready``), so that an
    admin added later is logged without anyone remembering to. Returns the models it covers."""
    from django.contrib.admin.utils import unquote

    from .models import Action
    from .services import log_access

    covered = []
    for model, model_admin in site._registry.items():
        if not _child_related(model) or getattr(model_admin, "_reads_logged", False):
            continue

        def changelist_view(request, extra_context=None, _original=model_admin.changelist_view):
            response = _original(request, extra_context)
            if response.status_code == 200:
                log_access(request=request, action=Action.SEARCH if request.GET.get("q") else Action.LIST)
            return response

        def one(view, _admin=model_admin, _model=model):
            def logged(request, object_id, *args, **kwargs):
                response = view(request, object_id, *args, **kwargs)
                if response.status_code == 200:
                    obj = _admin.get_object(request, unquote(object_id))
                    log_access(request=request, action=Action.VIEW, child=_child_of(_model, obj))
                return response

            return logged

        model_admin.changelist_view = changelist_view
        model_admin.change_view = one(model_admin.change_view)
        model_admin.history_view = one(model_admin.history_view)
        if hasattr(model_admin, "history_form_view"):  # one past version (django-simple-history)
            model_admin.history_form_view = one(model_admin.history_form_view)
        model_admin._reads_logged = True
        covered.append(model)
    return covered
