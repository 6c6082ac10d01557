"""The filters every report page takes from its address (?period=quarter&quarter=2025-Q2&…),
read with a Django form so bad input is a message beside the field, never a 500."""

import datetime
import re
from dataclasses import dataclass
from typing import cast

from django import forms
from django.utils import timezone

from accounts.models import Organisation
from common.forms import NHSForm
from community_services.models import Service
from community_services.need_domains import NeedDomain
from referrals.models import ReferralSource, TeamCoverage

from . import periods
from .scope import ReportScope

PERIOD_KINDS = [
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Financial year"),
    ("custom", "Custom dates"),
]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
# A custom period longer than this is refused: the reports read a year or two, not decades.
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class ReportFilters:
    period: periods.Period
    team_ids: tuple[int, ...]
    practice_id: int | None = None
    need_domain: str = ""
    source: str = ""
    service_id: int | None = None
    # The days before this are read from the day summaries (`reports.selectors.cohort`); None:
    # every figure counted live, as the snapshots and the bench's recount do.
    summarised_before: datetime.date | None = None


class ReportFilterForm(NHSForm):
    period = forms.ChoiceField(choices=PERIOD_KINDS, required=False, initial="year")
    month = forms.CharField(required=False, help_text="For example 2025-04", max_length=7)
    quarter = forms.CharField(required=False, help_text="For example 2025-Q2", max_length=7)
    year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="The year it starts, e.g. 2025"
    )
    start = forms.DateField(required=False, help_text="For example 2025-04-01")
    end = forms.DateField(required=False, help_text="For example 2025-06-30")
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    practice = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    need_domain = forms.ChoiceField(choices=[("", "All"), *NeedDomain.choices], required=False)
    source = forms.ChoiceField(
        label="Referral source", choices=[("", "All"), *ReferralSource.choices], required=False
    )
    service = forms.UUIDField(
        required=False, help_text="Choose a service from the community services report."
    )

    def __init__(self, data, *, scope: ReportScope, teams: list[Organisation]):
        super().__init__(data)
        self.scope = scope
        team_field = cast(forms.ChoiceField, self.fields["team"])
        team_field.choices = [("", "All your teams")] + [(t.pk, t.name) for t in teams]
        practices = (
            TeamCoverage.objects.filter(team_id__in=scope.team_ids)
            .select_related("practice")
            .order_by("practice__name")
        )
        practice_field = cast(forms.ChoiceField, self.fields["practice"])
        practice_field.choices = [("", "All practices")] + [
            (c.practice_id, c.practice.name) for c in practices
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("period") or "year"
        today = timezone.localdate()
        try:
            data["period_value"] = self._period(kind, data, today)
        except forms.ValidationError as error:
            self.add_error(_PERIOD_FIELD[kind], error)
        return data

    def _period(self, kind: str, data: dict, today: datetime.date) -> periods.Period:
        if kind == "month":
            match = _MONTH.match(data.get("month") or f"{today:%Y-%m}")
            if not match or not 1 <= int(match[2]) <= 12:
                raise forms.ValidationError("Enter a month as year and month, like 2025-04.")
            return periods.month(datetime.date(int(match[1]), int(match[2]), 1))
        if kind == "quarter":
            default = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
            match = _QUARTER.match((data.get("quarter") or default).upper())
            if not match:
                raise forms.ValidationError("Enter a quarter like 2025-Q2.")
            return periods.quarter(int(match[1]), int(match[2]))
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Enter both the first and the last day.")
            if end < start:
                raise forms.ValidationError("The last day must not be before the first.")
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError("Choose a period of three years or less.")
            return periods.custom(start, end)
        return periods.financial_year(data.get("year") or periods.financial_year_of(today))

    def filters(self) -> ReportFilters:
        """The filters to apply; call after is_valid(). Unknown values fall back to none."""
        data = getattr(self, "cleaned_data", {})  # the fields that were valid
        period = data.get("period_value") or periods.financial_year(
            periods.financial_year_of(timezone.localdate())
        )
        team = data.get("team")
        teams = (team,) if team in self.scope.team_ids else self.scope.team_ids
        service_id = None
        if data.get("service"):
            # An unknown service matches nothing (-1), rather than silently every service.
            found = Service.objects.filter(public_id=data["service"]).values_list("pk", flat=True)
            service_id = found.first() or -1
        return ReportFilters(
            period=period,
            team_ids=teams,
            practice_id=data.get("practice"),
            need_domain=data.get("need_domain") or "",
            source=data.get("source") or "",
            service_id=service_id
            if service_id is not None
            else (-1 if data.get("service") else None),
        )


_PERIOD_FIELD = {"month": "month", "quarter": "quarter", "year": "year", "custom": "start"}
