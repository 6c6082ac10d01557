"""The triage queue's filters: each narrows the queue, none changes its order."""

from typing import Any

from django import forms

from common.forms import NHSForm
from community_services.need_domains import NeedDomain

from .models import ReferralSource, Urgency


class TriageFilterForm(NHSForm):
    RISK_FLAGGED, NO_RISK = "flagged", "none"

    urgency = forms.ChoiceField(
        label="Urgency", choices=[("", "Any urgency"), *Urgency.choices], required=False
    )
    risk = forms.ChoiceField(
        label="Risk",
        choices=[("", "Any"), (RISK_FLAGGED, "Risk flagged"), (NO_RISK, "No risk flagged")],
        required=False,
    )
    need_domain = forms.ChoiceField(
        label="Need", choices=[("", "Any need"), *NeedDomain.choices], required=False
    )
    practice: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Practice", queryset=None, required=False, empty_label="Any practice"
    )
    source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "All sources"), *ReferralSource.choices],
        required=False,
    )

    def __init__(self, *args: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = practices  # type: ignore[attr-defined]  # a ModelChoiceField

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `triage_queue`'s keyword arguments (none when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        risk = {self.RISK_FLAGGED: True, self.NO_RISK: False}.get(data["risk"])
        return {
            "source": data["source"],
            "urgency": data["urgency"],
            "risk": risk,
            "need_domain": data["need_domain"],
            "practice_id": data["practice"].pk if data["practice"] else None,
        }
