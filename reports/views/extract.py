"""The evaluation extract: superusers (the data protection officer) only; every download is
audited with each case's patient (one insert) before the first row is streamed."""

import datetime

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.services import AuditEntry, record_audit_event, record_audit_events
from common.forms import NHSForm

from .. import periods
from ..csv_stream import csv_lines, csv_response
from ..selectors.extract import (
    COLUMNS,
    PseudonymKeyMissing,
    extract_cases,
    extract_rows,
    pseudonym_key,
)


def superuser_only(view):
    return role_required(allow_superuser=True)(view)


class ExtractForm(NHSForm):
    start = forms.DateField(label="Referrals received from", help_text="For example 2025-04-01")
    end = forms.DateField(label="to", help_text="For example 2026-03-31")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The last day must not be before the first.")
        return data


def _default_period() -> periods.Period:
    """The last twelve months, today included."""
    today = timezone.localdate()
    return periods.custom(today - datetime.timedelta(days=364), today)


@superuser_only
def extract_page(request):
    default = _default_period()
    form = ExtractForm(initial={"start": default.first_day, "end": default.last_day})
    key_missing = False
    try:
        pseudonym_key()
    except PseudonymKeyMissing:
        key_missing = True
    return render(
        request,
        "reports/extract.html",
        {"form": form, "key_missing": key_missing, "columns": COLUMNS},
    )


@superuser_only
def extract_csv(request):
    chosen = "start" in request.GET or "end" in request.GET
    form = ExtractForm(request.GET if chosen else None)
    if chosen and not form.is_valid():
        return render(
            request,
            "reports/extract.html",
            {"form": form, "key_missing": False, "columns": COLUMNS},
            status=400,
        )
    period = (
        periods.custom(form.cleaned_data["start"], form.cleaned_data["end"])
        if chosen
        else _default_period()
    )
    try:
        key = pseudonym_key()
    except PseudonymKeyMissing as missing:
        return HttpResponse(str(missing), status=503, content_type="text/plain")
    cases = list(extract_cases(period).values_list("pk", "patient_id"))
    detail = f"evaluation extract {period.label}"
    if cases:
        record_audit_events(
            entries=[
                AuditEntry(request.user, "export", "referral", pk, patient, detail)
                for pk, patient in cases
            ]
        )
    else:
        record_audit_event(
            actor=request.user, action="export", object_type="evaluation_extract", detail=detail
        )
    return csv_response(
        csv_lines(COLUMNS, extract_rows(period, key=key)),
        f"evaluation-extract-{period.first_day}-{period.last_day}.csv",
    )
