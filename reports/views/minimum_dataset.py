"""The minimum dataset download, CSV or JSON, for managers (their teams) and the superuser (the
whole service): `from`, `to` (referrals received, inclusive) and optionally `team` or `practice`
as query parameters. Every download is audited with each episode's patient (one insert) before
the first record is streamed; bad parameters are a 400 naming each field."""

import datetime
import json
from collections.abc import Iterator

from django import forms
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import role_required
from accounts.services import AuditEntry, record_audit_event, record_audit_events
from common.forms import NHSForm

from .. import periods
from ..csv_stream import csv_lines, csv_response
from ..scope import report_scope
from ..selectors.minimum_dataset import (
    CSV_COLUMNS,
    csv_row,
    episode_records,
    minimum_dataset_episodes,
)

MAX_DAYS = 3 * 366


class MinimumDatasetForm(NHSForm):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    team = forms.IntegerField(required=False, min_value=1)
    practice = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, team_ids: tuple[int, ...]):
        # The public parameter names are `from` and `to` (a Python keyword and a builtin's).
        renamed = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__({**data.dict(), **renamed})
        self.team_ids = team_ids

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=364)
        if "start" in self.errors or "end" in self.errors:
            return data
        if end < start:
            self.add_error("end", "`to` must not be before `from`.")
        elif (end - start).days > MAX_DAYS:
            self.add_error("end", f"Ask for at most {MAX_DAYS} days at a time.")
        if data.get("team") and data["team"] not in self.team_ids:
            self.add_error("team", "Choose one of the teams you manage.")
        if data.get("team") and data.get("practice"):
            self.add_error("practice", "Give a team or a practice, not both.")
        data["period"] = periods.custom(start, end)
        return data


def _errors(form: MinimumDatasetForm) -> dict[str, list[str]]:
    names = {"start": "from", "end": "to"}
    return {
        names.get(field, field): [str(error) for error in errors]
        for field, errors in form.errors.items()
    }


def _episodes_for(request):
    scope = report_scope(request.user)
    form = MinimumDatasetForm(request.GET, team_ids=scope.team_ids)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    team_ids = (data["team"],) if data.get("team") else scope.team_ids
    episodes = minimum_dataset_episodes(
        data["period"], team_ids=team_ids, practice_id=data.get("practice")
    )
    exported = list(episodes.values_list("pk", "patient_id"))
    detail = f"minimum dataset {data['period'].label}"
    if exported:
        record_audit_events(
            entries=[
                AuditEntry(request.user, "export", "referral", pk, patient, detail)
                for pk, patient in exported
            ]
        )
    else:
        record_audit_event(
            actor=request.user, action="export", object_type="minimum_dataset", detail=detail
        )
    return episodes, form


def _name(form: MinimumDatasetForm, suffix: str) -> str:
    period = form.cleaned_data["period"]
    return f"minimum-dataset-{period.first_day}-{period.last_day}.{suffix}"


@role_required(Role.MANAGER, allow_superuser=True)
def minimum_dataset_csv(request):
    episodes, form = _episodes_for(request)
    if episodes is None:
        text = "\n".join(f"{field}: {' '.join(errs)}" for field, errs in _errors(form).items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    rows = (csv_row(record) for record in episode_records(episodes))
    return csv_response(csv_lines(CSV_COLUMNS, rows), _name(form, "csv"))


def _json_lines(records: Iterator[dict]) -> Iterator[str]:
    """A JSON array streamed one episode at a time."""
    yield "["
    for number, record in enumerate(records):
        yield ("," if number else "") + json.dumps(record)
    yield "]"


@role_required(Role.MANAGER, allow_superuser=True)
def minimum_dataset_json(request):
    episodes, form = _episodes_for(request)
    if episodes is None:
        return JsonResponse({"errors": _errors(form)}, status=400)
    response = StreamingHttpResponse(
        _json_lines(episode_records(episodes)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_name(form, "json")}"'
    return response
