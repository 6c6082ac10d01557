"""Reaching the patient of a referral: each contact attempt, and confirming who a
self-referred person is. Thin: forms check input, the services decide."""

from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from . import services
from .forms import ConfirmIdentityForm, ContactAttemptForm
from .selectors import get_referral_for_team
from .views import _transition_page


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def contact_attempt(request, reference):
    referral = get_referral_for_team(request.user, reference)
    return _transition_page(
        request,
        referral,
        ContactAttemptForm(request.POST or None),
        lambda data: services.record_contact_attempt(
            referral=referral,
            by=request.user,
            attempted_on=data["attempted_on"],
            method=data["method"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        heading="Record a contact attempt",
        button="Save the attempt",
        context={"attempts": referral.attempts.select_related("recorded_by")},
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def confirm_identity(request, reference):
    """At first contact: who the person is; a known NHS number moves the referral to them."""
    referral = get_referral_for_team(request.user, reference)
    details = getattr(referral, "patient_details", None)
    return _transition_page(
        request,
        referral,
        ConfirmIdentityForm(
            request.POST or None, initial={"nhs_number": details.nhs_number if details else ""}
        ),
        lambda data: services.confirm_identity(
            referral=referral, by=request.user, nhs_number=data["nhs_number"]
        ),
        heading="Confirm identity",
        button="Confirm identity",
    )
