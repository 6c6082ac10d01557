"""The report pages: thin views over `reports.pages` (which figures), `reports.scope` (whose
figures, suppressed or not) and `reports.filters` (which period and filters). The figures are
read from the read replica; every view and download is audited (on the primary); none names a
patient."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from accounts.models import Organisation, Role
from accounts.permissions import role_required
from accounts.services import record_audit_event
from common.db_routing import replica_reads

from ..charts import figure
from ..csv_stream import csv_lines, csv_response
from ..definitions import COMMON, DEFINITIONS
from ..filters import ReportFilterForm
from ..pages import PAGES, page_tables, pages_for
from ..scope import report_scope
from ..suppression import threshold

READERS = (Role.MANAGER, Role.COMMISSIONER)


@role_required(*READERS, allow_superuser=True)
def home(request):
    scope = report_scope(request.user)
    return render(
        request,
        "reports/home.html",
        {"pages": pages_for(scope), "scope": scope, "threshold": threshold()},
    )


@role_required(*READERS, allow_superuser=True)
def definitions(request):
    limit = threshold()
    suppression = DEFINITIONS["suppression"].format(threshold=limit, threshold_less_one=limit - 1)
    figures = [(key, text) for key, text in DEFINITIONS.items() if key != "suppression"]
    return render(
        request,
        "reports/definitions.html",
        {"figures": figures, "common": COMMON, "suppression": suppression},
    )


@role_required(*READERS, allow_superuser=True)
def report(request, slug: str):
    page = PAGES.get(slug)
    if page is None:
        raise Http404("No such report.")
    scope = report_scope(request.user)
    if page.managers_only and not scope.sees_cases:
        raise PermissionDenied("This report is for the team's managers.")
    teams = list(Organisation.objects.filter(pk__in=scope.team_ids).order_by("name"))
    form = ReportFilterForm(request.GET or None, scope=scope, teams=teams)
    form.is_valid()
    filters = form.filters()
    with replica_reads():  # figures tolerate a few seconds' lag; the audit below is written
        tables = page_tables(
            page, filters=filters, scope=scope, on_page=request.GET.get("format") != "csv"
        )
    described = f"{page.title}, {filters.period.label}, {len(filters.team_ids)} team(s)"
    if request.GET.get("format") == "csv":
        wanted = request.GET.get("table")
        chosen = [t for t in tables if not wanted or t.key == wanted]
        if not chosen:
            raise Http404("No such table on this report.")
        record_audit_event(
            actor=request.user,
            action="export_report",
            object_type="report",
            object_id=slug,
            detail=f"{described}; CSV of {wanted or 'every table'}; {request.GET.urlencode()}"[
                :500
            ],
        )
        return csv_response(_report_csv(chosen), f"report-{slug}-{filters.period.first_day}.csv")
    record_audit_event(
        actor=request.user,
        action="view_report",
        object_type="report",
        object_id=slug,
        detail=f"{described}; {request.GET.urlencode()}"[:500],
    )
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    return render(
        request,
        "reports/report.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "scope": scope,
            "threshold": threshold(),
            "query": query.urlencode(),
            "figures": [figure(table, DEFINITIONS[table.definition]) for table in tables],
            "pages": pages_for(scope),
        },
    )


def _report_csv(tables):
    """One table: its own columns. Several: each under a row naming it, a blank row between."""
    if len(tables) == 1:
        yield from csv_lines(tables[0].headings, tables[0].rows)
        return
    for table in tables:
        yield from csv_lines([table.title], [table.headings, *table.rows, []])
