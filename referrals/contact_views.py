"""Reaching the patient of a referral: each contact attempt, and confirming who a
self-referred person is. Thin: forms check input, the services decide, and the page is the
one form page of `common.form_pages`."""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required
from common.form_pages import form_page

from . import services
from .forms import ConfirmIdentityForm, ContactAttemptForm
from .models import Referral
from .selectors import get_referral_for_team, patient_as_seen_by


def _contact_page(
    request: Any,  # an authenticated HttpRequest (role_required)
    referral: Referral,
    form: forms.Form,
    run: Callable[[Mapping[str, Any]], object],
    *,
    heading: str,
    button: str,
    context: dict | None = None,
) -> HttpResponse:
    """The referral's form page: every render of the form is an audited read; success and a
    refusal go back to the referral."""
    detail_url = reverse("referrals:detail", kwargs={"reference": referral.reference})

    def render_page() -> HttpResponse:
        services.record_referral_viewed(referral=referral, by=request.user, via=f"{heading} form")
        return render(
            request,
            "referrals/transition_form.html",
            {
                "referral": referral,
                "patient": patient_as_seen_by(request.user, referral),
                "form": form,
                "heading": heading,
                "button": button,
                **(context or {}),
            },
        )

    return form_page(
        request,
        form,
        run,
        done=f"Referral {referral.reference}: {heading.lower()} – done.",
        success_url=detail_url,
        refusal_url=detail_url,
        render_page=render_page,
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def contact_attempt(request, reference):
    referral = get_referral_for_team(request.user, reference)
    return _contact_page(
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
    return _contact_page(
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
