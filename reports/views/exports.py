"""Downloading the lists (caseload, triage queue, our referrals, onward referrals, the
directory) as CSV: scoped by the page's own selector, audited with every patient exported
(one insert), then streamed a chunk of rows at a time."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.services import AuditEntry, record_audit_event, record_audit_events
from common.db_routing import on_replica

from ..csv_stream import csv_lines, csv_response
from ..exports import EXPORTS, exports_for

CHUNK = 2000


@login_required
def export_list(request):
    return render(request, "reports/exports.html", {"exports": exports_for(request.user)})


@login_required
def export_csv(request, kind: str):
    export = EXPORTS.get(kind)
    if export is None:
        raise Http404("No such list.")
    if not request.user.has_role(*export.roles):
        raise PermissionDenied("Your role cannot download this list.")
    rows = on_replica(export.rows(request.user))  # related rows follow it there
    if export.patient is not None:
        exported = list(rows.values_list("pk", _patient_field(kind)))
        entries = [
            AuditEntry(
                request.user,
                "export",
                rows.model._meta.model_name,
                pk,
                patient_id,
                f"{export.title} CSV: {number} of {len(exported)}",
            )
            for number, (pk, patient_id) in enumerate(exported, start=1)
        ]
        if entries:
            record_audit_events(entries=entries)
        else:
            record_audit_event(
                actor=request.user, action="export", object_type=kind, detail="0 rows"
            )
    else:
        record_audit_event(actor=request.user, action="export", object_type=kind)
    lines = csv_lines(
        [heading for heading, _ in export.columns],
        ([value(row) for _, value in export.columns] for row in rows.iterator(chunk_size=CHUNK)),
    )
    return csv_response(lines, f"{kind}-{timezone.localdate():%Y-%m-%d}.csv")


def _patient_field(kind: str) -> str:
    return "referral__patient_id" if kind == "onward-referrals" else "patient_id"
