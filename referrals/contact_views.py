"""Reaching the patient of a referral: each contact attempt, and confirming who a
self-referred person is. Thin: forms check input, the services decide."""

from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from . import services
from .forms import ConfirmIdentityForm, ContactAttemptForm
from .views import _team_only, _transition_page


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def contact_attempt(request, reference):
    return _transition_page(
        request,
        reference,
        form_class=ContactAttemptForm,
        form_kwargs=lambda referral: _team_only(request, referral) or {},
        run=lambda referral, data: services.record_contact_attempt(
            referral=referral,
            by=request.user,
            attempted_on=data["attempted_on"],
            method=data["method"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        context=lambda referral: {"attempts": referral.attempts.select_related("recorded_by")},
        heading="Record a contact attempt",
        button="Save the attempt",
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def confirm_identity(request, reference):
    """At first contact: who the person is; a known NHS number moves the referral to them."""
    details = None

    def form_kwargs(referral):
        nonlocal details
        _team_only(request, referral)
        details = getattr(referral, "patient_details", None)
        return {"initial": {"nhs_number": details.nhs_number if details else ""}}

    return _transition_page(
        request,
        reference,
        form_class=ConfirmIdentityForm,
        form_kwargs=form_kwargs,
        run=lambda referral, data: services.confirm_identity(
            referral=referral, by=request.user, nhs_number=data["nhs_number"]
        ),
        heading="Confirm identity",
        button="Confirm identity",
    )
