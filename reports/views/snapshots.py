"""The monthly snapshots: read as they were stored, never recomputed; scoped and suppressed
like the live pages."""

from django.shortcuts import get_object_or_404, render

from accounts.permissions import role_required
from accounts.services import mark_notifications_read, record_audit_event

from ..charts import figure
from ..models import MonthlySnapshot
from ..pages import PAGES
from ..scope import report_scope
from ..suppression import threshold
from ..tables import Table, suppress_table
from .pages import READERS


@role_required(*READERS, allow_superuser=True)
def snapshot_list(request):
    scope = report_scope(request.user)
    snapshots = (
        MonthlySnapshot.objects.filter(team_id__in=scope.team_ids)
        .select_related("team")
        .only("pk", "month", "built_at", "code_version", "team__name")
        .order_by("-month", "team__name")
    )
    return render(request, "reports/snapshot_list.html", {"snapshots": snapshots})


@role_required(*READERS, allow_superuser=True)
def snapshot_detail(request, pk: int):
    scope = report_scope(request.user)
    snapshot = get_object_or_404(
        MonthlySnapshot.objects.select_related("team"), pk=pk, team_id__in=scope.team_ids
    )
    record_audit_event(
        actor=request.user,
        action="view_report",
        object_type="monthly_snapshot",
        object_id=snapshot.pk,
        detail=f"{snapshot.team.name}, {snapshot.month:%B %Y}",
    )
    mark_notifications_read(recipient=request.user, link=request.path)  # "figures are ready"
    limit = threshold()
    sections = []
    for slug, tables in snapshot.tables["pages"].items():
        figures = []
        for data in tables:
            table = Table.from_json(data)
            if scope.suppress:
                table = suppress_table(table, limit)
            figures.append(figure(table, snapshot.definitions.get(table.definition, "")))
        sections.append({"title": PAGES[slug].title, "figures": figures})
    return render(
        request,
        "reports/snapshot.html",
        {"snapshot": snapshot, "sections": sections, "scope": scope, "threshold": limit},
    )
