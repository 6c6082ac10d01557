"""The admin is a view of patient data like any other: what it shows and changes is audited."""

from typing import TYPE_CHECKING

from django.contrib import admin

from .services import record_audit_event

# One list event names at most this many of the rows shown (the audit detail is 500 characters).
_LISTED_IDS = 50

# The mixin goes in front of a ModelAdmin; the type checker is told so.
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class PatientDataAuditMixin(_ModelAdminBase):
    """For a ModelAdmin of patient data: lists, record pages, changes and deletions each write
    an audit event, as the service's own pages do. `audit_patient_id` says whose record a row
    is part of."""

    def audit_patient_id(self, obj) -> str | int:
        return getattr(obj, "patient_id", "")

    def _audit(self, request, action: str, obj=None, detail: str = "") -> None:
        record_audit_event(
            actor=request.user,
            action=action,
            object_type=self.model._meta.model_name,
            object_id=obj.pk if obj is not None else "",
            patient_id=self.audit_patient_id(obj) if obj is not None else "",
            detail=detail[:500],
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            ids = [str(row.pk) for row in changelist.result_list]
            shown = ",".join(ids[:_LISTED_IDS]) + ("…" if len(ids) > _LISTED_IDS else "")
            query = request.GET.urlencode()
            self._audit(
                request,
                "admin_list",
                detail=f"{len(ids)} shown: {shown}" + (f" ({query})" if query else ""),
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":
            self._audit(request, "admin_view", obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = getattr(response, "context_data", {}).get("object")
        if obj is not None:
            self._audit(request, "admin_view", obj, detail="history")
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) if change else "created"
        self._audit(request, "admin_change" if change else "admin_create", obj, detail=changed)

    def delete_model(self, request, obj):
        self._audit(request, "admin_delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, "admin_delete", obj)
        super().delete_queryset(request, queryset)


class PatientDataAdmin(PatientDataAuditMixin, admin.ModelAdmin):
    """A ModelAdmin whose every view and change of patient data is audited."""
