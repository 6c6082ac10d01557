"""Referrer and triage pages. Thin: forms check input, services change state, selectors read."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from accounts.services import mark_notifications_read
from common.form_pages import form_page
from common.state_machine import Party

from . import services
from .forms import (
    AcceptForm,
    AddInformationForm,
    DeclineForm,
    DetailsDifferenceForm,
    FirstContactForm,
    OurReferralsFilterForm,
    PatientDeclinedForm,
    RegisteredPracticeForm,
    UnableToContactForm,
)
from .models import REFERRAL_MACHINE, ReferralAction
from .selectors import (
    get_referral_for_team,
    get_visible_referral,
    patient_as_seen_by,
    patient_checks,
    practice_ids_of,
    referrals_for_practice,
    service_outcomes_for_referrer,
    service_referrals_of_case,
    team_members,
)
from .services.contact_attempts import TRYING_TO_CONTACT
from .triage_views import QueueRow

PAGE_SIZE = 25


@role_required(Role.REFERRER)
def practice_home(request):
    """'Our referrals': the practice's referrals and where each one stands, found by search
    and filters; the notices are one summary line (the header's count) linking to them."""
    filters = OurReferralsFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    referrals = referrals_for_practice(
        request.user,
        search=chosen.get("q") or "",
        status=chosen.get("status") or "",
        received_from=chosen.get("received_from"),
        received_to=chosen.get("received_to"),
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    services.record_referral_list_viewed(
        by=request.user, what="our referrals", referrals=page.object_list
    )
    query = urlencode(
        [(key, value) for key, value in request.GET.items() if key != "page" and value]
    )
    return render(
        request,
        "referrals/our_referrals.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "filtered": bool(chosen and any(chosen.values())),
        },
    )


@role_required(Role.REFERRER)
def confirmation(request, reference):
    referral = get_visible_referral(request.user, reference)
    if referral.referring_practice_id not in practice_ids_of(request.user):
        raise Http404("No such referral.")
    services.record_referral_viewed(referral=referral, by=request.user, via="confirmation")
    return render(request, "referrals/confirmation.html", {"referral": referral})


@role_required(Role.REFERRER, *TEAM_ROLES)
def referral_detail(request, reference):
    referral = get_visible_referral(request.user, reference)
    services.record_referral_viewed(referral=referral, by=request.user)
    mark_notifications_read(recipient=request.user, link=request.path)
    in_team = request.user.is_team_member(referral.team_id)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "patient": patient_as_seen_by(request.user, referral),
            **(patient_checks(request.user, referral) if in_team else {}),
            "events": referral.events.select_related("actor"),
            "added_information": referral.added_information.select_related("added_by"),
            "attempts": referral.attempts.select_related("recorded_by") if in_team else None,
            "in_team": in_team,
            "is_case": in_team and referral.is_case,
            "actions": _actions_for(referral, in_team=in_team),
            "service_referrals": service_referrals_of_case(referral) if in_team else None,
            # Referring on and closing happen on the case page, with the goals and the plan.
            "can_refer_on": False,
            "service_outcomes": None if in_team else service_outcomes_for_referrer(referral),
        },
    )


# The steps a referral page offers, with their url names; closing with an outcome is on the case
# page.
_NEXT_STEPS = (
    (ReferralAction.ACCEPT, "accept"),
    (ReferralAction.DECLINE, "decline"),
    (ReferralAction.FIRST_CONTACT, "first-contact"),
    (ReferralAction.UNABLE_TO_CONTACT, "unable"),
    (ReferralAction.PATIENT_DECLINED, "patient-declined"),
)


# The referrer's words for its one status change, a warning action rather than the main one.
REFERRER_DECLINED_LABEL = "The patient no longer wants this referral"


def _actions_for(referral, *, in_team: bool) -> list[tuple[str, str, str]]:
    """The next steps open to this user, as (label, url, style), from the referral's machine:
    the team's, or the referring practice's; the services decide for real."""
    open_steps = REFERRAL_MACHINE.actions_from(
        referral.status, by=Party.TEAM if in_team else Party.REFERRER
    )
    if not in_team:
        steps = []
        if referral.is_open:
            steps.append(
                (
                    "Add information to this referral",
                    reverse("referrals:add-information", args=[referral.reference]),
                    "secondary",
                )
            )
        if ReferralAction.PATIENT_DECLINED in open_steps:
            steps.append(
                (
                    REFERRER_DECLINED_LABEL,
                    reverse("referrals:patient-declined", args=[referral.reference]),
                    "warning",
                )
            )
        return steps
    steps = [
        (
            action.label,
            reverse(f"referrals:{name}", args=[referral.reference]),
            "primary" if index == 0 else "secondary",
        )
        for index, (action, name) in enumerate(
            (action, name) for action, name in _NEXT_STEPS if action in open_steps
        )
    ]
    if in_team and referral.status in TRYING_TO_CONTACT:
        # Not status changes: a self-referral's identity, and each attempt to reach the patient.
        extra = [] if referral.identity_checked else [("Confirm identity", "confirm-identity")]
        extra.append(("Record a contact attempt", "contact-attempt"))
        steps[1:1] = [
            (label, reverse(f"referrals:{name}", args=[referral.reference]), "secondary")
            for label, name in extra
        ]
    return steps


def _transition_page(request, referral, form, run, *, heading, button, context=None):
    """The referral's form page (the one form page of `common.form_pages`); every render of
    the form is an audited read. `context` adds to what the page shows. Asked by the triage
    queue's htmx, the same form and service answer as one row of the queue."""
    detail_url = reverse("referrals:detail", kwargs={"reference": referral.reference})
    row = QueueRow.asked_for(request, referral, heading=heading, button=button)

    def render_page():
        services.record_referral_viewed(referral=referral, by=request.user, via=f"{heading} form")
        patient = patient_as_seen_by(request.user, referral)
        if row is not None:
            return row.form(form, patient)
        return render(
            request,
            "referrals/transition_form.html",
            {
                "referral": referral,
                "patient": patient,
                "form": form,
                "heading": heading,
                "button": button,
                **(context or {}),
            },
        )

    response = form_page(
        request,
        form,
        run,
        done=f"Referral {referral.reference}: {heading.lower()} – done.",
        success_url=detail_url,
        refusal_url=None if row is not None else detail_url,
        render_page=render_page,
    )
    if row is not None and response.status_code == 302:
        return row.done()
    return response


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def accept(request, reference):
    referral = get_referral_for_team(request.user, reference)
    return _transition_page(
        request,
        referral,
        AcceptForm(request.POST or None, colleagues=team_members(referral.team), me=request.user),
        lambda data: services.accept_referral(
            referral=referral, by=request.user, assign_to=data["assign_to"], note=data["note"]
        ),
        heading="Accept and assign",
        button="Accept referral",
    )


# The team's triage pages after accepting: each action's form, heading and button.
TEAM_TRIAGE_PAGES = {
    ReferralAction.DECLINE: (DeclineForm, "Decline referral", "Decline referral"),
    ReferralAction.FIRST_CONTACT: (FirstContactForm, "Record first contact", "Save first contact"),
    ReferralAction.UNABLE_TO_CONTACT: (
        UnableToContactForm,
        "Unable to contact",
        "Close as unable to contact",
    ),
}


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def triage_change(request, reference, action):
    """Decline, first contact, unable to contact: the action comes from the URL's entry."""
    referral = get_referral_for_team(request.user, reference)
    form_class, heading, button = TEAM_TRIAGE_PAGES[action]
    return _transition_page(
        request,
        referral,
        form_class(request.POST or None),
        lambda data: services.change_referral(
            action=action, referral=referral, by=request.user, data=data
        ),
        heading=heading,
        button=button,
        # Unable to contact cites the attempts recorded: the page shows them.
        context=(
            {"attempts": referral.attempts.select_related("recorded_by")}
            if action == ReferralAction.UNABLE_TO_CONTACT
            else None
        ),
    )


@role_required(Role.REFERRER, *TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def patient_declined(request, reference):
    referral = get_visible_referral(request.user, reference)
    in_team = request.user.is_team_member(referral.team_id)
    return _transition_page(
        request,
        referral,
        PatientDeclinedForm(request.POST or None),
        lambda data: services.change_referral(
            action=ReferralAction.PATIENT_DECLINED, referral=referral, by=request.user, data=data
        ),
        heading="Patient declined" if in_team else REFERRER_DECLINED_LABEL,
        button=(
            "Record that the patient declined"
            if in_team
            else "Withdraw the referral: the patient no longer wants it"
        ),
    )


@role_required(Role.REFERRER)
@require_http_methods(["GET", "POST"])
def add_information(request, reference):
    """The referring practice tells the team something new; the team sees it on the referral."""
    referral = get_visible_referral(request.user, reference)
    if referral.referring_practice_id not in practice_ids_of(request.user):
        raise Http404("No such referral.")
    return _transition_page(
        request,
        referral,
        AddInformationForm(request.POST or None),
        lambda data: services.add_referral_information(
            referral=referral, by=request.user, text=data["text"]
        ),
        heading="Add information to this referral",
        button="Send to the team",
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def patient_details(request, reference):
    """The team confirms a referral's details into the record, field by field, or keeps it."""
    referral = get_referral_for_team(request.user, reference)
    if request.method == "GET":
        services.record_referral_viewed(referral=referral, by=request.user, via="details check")
    differences = patient_checks(request.user, referral)["differences"]
    if not differences:
        messages.info(request, "The details on this referral need no decision.")
        return redirect("referrals:detail", reference=referral.reference)
    form = DetailsDifferenceForm(request.POST or None, differences=differences)
    detail_url = reverse("referrals:detail", kwargs={"reference": referral.reference})
    return form_page(
        request,
        form,
        lambda data: services.resolve_details_difference(
            referral=referral, by=request.user, accept_fields=form.accepted_fields()
        ),
        done="The patient's record was checked against the referral.",
        success_url=detail_url,
        refusal_url=detail_url,
        render_page=lambda: render(
            request,
            "referrals/patient_details.html",
            {
                "referral": referral,
                "patient": referral.patient,
                "form": form,
                "differences": differences,
            },
        ),
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def registered_practice(request, reference):
    referral = get_referral_for_team(request.user, reference)
    return _transition_page(
        request,
        referral,
        RegisteredPracticeForm(
            request.POST or None, initial={"practice": referral.referring_practice_id}
        ),
        lambda data: services.change_registered_practice(
            referral=referral, by=request.user, practice=data["practice"]
        ),
        heading="Change the registered practice",
        button="Change the registered practice",
    )
