"""Onward referral pages: the team refers on, the provider answers by login or emailed link.

Thin: forms check input, services change state, selectors read.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import DateTimeField, Value
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from common.errors import DomainError
from common.form_pages import form_page

from . import attendance_links, provider_links, services
from .forms import (
    ConsentToShareForm,
    ServiceDeclineForm,
    ServiceReferralNoteForm,
)
from .models import (
    PATIENT_ANSWERABLE_STATUSES,
    PROVIDER_ACTIONS,
    PatientAttendanceAnswer,
    ServiceReferral,
    ServiceReferralAction,
)
from .provider_forms import ProviderReferralFilterForm
from .selectors import (
    get_referral_for_team,
    get_service_referral_for_provider,
    get_service_referral_for_team,
    provider_referral_list,
    provider_waiting_count,
)

PAGE_SIZE = 25
ACTION_LABELS = {
    ServiceReferralAction.ACCEPT: "Accept the referral",
    ServiceReferralAction.ATTENDED: "The patient attended",
    ServiceReferralAction.DID_NOT_ATTEND: "The patient did not attend",
    ServiceReferralAction.COMPLETED: "The patient completed the service",
}
DONE_MESSAGES = {
    ServiceReferralAction.ACCEPT: "You accepted the referral.",
    ServiceReferralAction.DECLINE: "You declined the referral.",
    ServiceReferralAction.ATTENDED: "Recorded that the patient attended.",
    ServiceReferralAction.DID_NOT_ATTEND: "Recorded that the patient did not attend.",
    ServiceReferralAction.COMPLETED: "Recorded that the patient completed the service.",
    ServiceReferralAction.WITHDRAW: "The referral was withdrawn.",
}


# --- Consent to share, recorded by the team (the case page refers on)


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def consent_to_share(request, reference):
    referral = get_referral_for_team(request.user, reference)
    form = ConsentToShareForm(
        request.POST or None, initial={"consent_to_share": referral.patient.consent_to_share}
    )
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("referrals:detail", kwargs={"reference": referral.reference})

    def render_page():
        services.record_referral_viewed(referral=referral, by=request.user, via="consent form")
        return render(
            request,
            "referrals/transition_form.html",
            {
                "referral": referral,
                "patient": referral.patient,
                "form": form,
                "heading": "Consent to share with community services",
                "button": "Save consent",
            },
        )

    return form_page(
        request,
        form,
        lambda data: services.record_consent_to_share(
            referral=referral, by=request.user, given=data["consent_to_share"]
        ),
        done="The patient's consent to share was recorded.",
        success_url=back,
        refusal_url=back,
        render_page=render_page,
    )


# --- One onward referral: the same page for the team, the provider user and the emailed link


def _answer_actions(service_referral: ServiceReferral) -> list[tuple[str, str]]:
    return [
        (action, ACTION_LABELS[action])
        for action in PROVIDER_ACTIONS
        if action != ServiceReferralAction.DECLINE and service_referral.allows(action)
    ]


def _run_action(action, service_referral, *, by, link, data):
    if action == ServiceReferralAction.WITHDRAW:
        return services.withdraw_service_referral(
            service_referral=service_referral, by=by, note=data["note"]
        )
    if action == "send_link":
        return services.send_fresh_provider_link(service_referral=service_referral, by=by)
    return services.answer_service_referral(
        action=action,
        service_referral=service_referral,
        by=by,
        link=link,
        reason=data.get("reason", ""),
        note=data["note"],
    )


def _done_message(action):
    if action == "send_link":
        return lambda link: f"A fresh link was emailed to {link.recipient_email}."
    return DONE_MESSAGES[action]


def _service_referral_page(request, service_referral, *, audience, record_view, by=None, link=None):
    """The same page for the team, the provider user and the emailed link: a GET is an
    audited read; a POST runs the chosen action through the one form page of
    `common.form_pages` and comes back here."""
    if request.method != "POST":
        record_view()
        return _render_service_referral(
            request,
            service_referral,
            audience=audience,
            decline_form=ServiceDeclineForm(),
            note_form=ServiceReferralNoteForm(),
        )
    action = request.POST.get("action", "")
    decline_form = ServiceDeclineForm(
        request.POST if action == ServiceReferralAction.DECLINE else None
    )
    note_form = ServiceReferralNoteForm(
        request.POST if action != ServiceReferralAction.DECLINE else None
    )
    allowed = {
        *PROVIDER_ACTIONS,
        *((ServiceReferralAction.WITHDRAW, "send_link") if audience == "team" else ()),
    }
    if action not in allowed:
        messages.error(request, "Choose what to do with the referral.")
        return redirect(request.path)
    return form_page(
        request,
        decline_form if action == ServiceReferralAction.DECLINE else note_form,
        lambda data: _run_action(action, service_referral, by=by, link=link, data=data),
        done=_done_message(action),
        success_url=request.path,
        refusal_url=request.path,
        render_page=lambda: _render_service_referral(
            request,
            service_referral,
            audience=audience,
            decline_form=decline_form,
            note_form=note_form,
        ),
    )


def _render_service_referral(request, service_referral, *, audience, decline_form, note_form):
    team = audience == "team"
    can_send_link = (
        team
        and not service_referral.is_final
        and (
            service_referral.latest_link_expires_at is None
            or service_referral.latest_link_expires_at <= timezone.now()
        )
    )
    return render(
        request,
        "referrals/service_referral.html",
        {
            "sr": service_referral,
            "referral": service_referral.referral,
            "patient": service_referral.referral.patient,
            "audience": audience,
            "actions": _answer_actions(service_referral),
            "action_names": ServiceReferralAction,
            "can_decline": service_referral.allows(ServiceReferralAction.DECLINE),
            "can_withdraw": team and service_referral.allows(ServiceReferralAction.WITHDRAW),
            "can_send_link": can_send_link,
            "decline_form": decline_form,
            "note_form": note_form,
            "form": decline_form if decline_form.is_bound else note_form,
            "events": service_referral.events.select_related("actor", "link"),
        },
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def team_service_referral(request, reference, pk):
    referral = get_referral_for_team(request.user, reference)
    service_referral = get_service_referral_for_team(request.user, referral, pk)
    return _service_referral_page(
        request,
        service_referral,
        audience="team",
        by=request.user,
        record_view=lambda: services.record_service_referral_viewed(
            service_referral=service_referral, by=request.user, via="team page"
        ),
    )


@role_required(Role.PROVIDER)
def provider_home(request):
    """Referrals to the organisation's services, those waiting for an answer first."""
    form = ProviderReferralFilterForm(request.GET)
    rows = (
        provider_referral_list(request.user, **form.cleaned_data)
        if form.is_valid()
        else ServiceReferral.objects.none()
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    services.record_service_referral_list_viewed(
        by=request.user, what="provider home", service_referrals=page.object_list
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "referrals/provider_home.html",
        {
            "heading": "Referrals to your services",
            "page": page,
            "form": form,
            "query": query,
            "filtered": bool(query),
            "waiting_count": provider_waiting_count(request.user),
        },
    )


@role_required(Role.PROVIDER)
@require_http_methods(["GET", "POST"])
def provider_service_referral(request, pk):
    service_referral = get_service_referral_for_provider(request.user, pk)
    return _service_referral_page(
        request,
        service_referral,
        audience="provider",
        by=request.user,
        record_view=lambda: services.record_service_referral_viewed(
            service_referral=service_referral, by=request.user, via="provider page"
        ),
    )


_PROBLEM_STATUS = {
    provider_links.LinkProblem.INVALID: 404,
    provider_links.LinkProblem.EXPIRED: 410,
    provider_links.LinkProblem.REPLACED: 410,
    provider_links.LinkProblem.ANSWERED: 200,
}


@never_cache
@require_http_methods(["GET", "POST"])
def provider_link(request, token):
    """The emailed link: no account, the minimum necessary, and the provider's answers."""
    check = provider_links.check_token(token)
    if not check.ok:
        return render(
            request,
            "referrals/provider_link_problem.html",
            {"problem": check.problem},
            status=_PROBLEM_STATUS[check.problem],
        )
    link = check.link
    service_referral = (
        ServiceReferral.objects.select_related(
            "service__provider", "referral__patient", "referral__team", "referred_by"
        )
        .annotate(latest_link_expires_at=Value(None, output_field=DateTimeField()))
        .get(pk=link.service_referral_id)
    )
    return _service_referral_page(
        request,
        service_referral,
        audience="link",
        link=link,
        record_view=lambda: services.record_provider_link_opened(link=link),
    )


# --- The patient's own answer: "did you manage to go?"

ANSWER_BUTTONS = {
    PatientAttendanceAnswer.YES: "Yes, I went",
    PatientAttendanceAnswer.NO: "No, I did not go",
    PatientAttendanceAnswer.NOT_YET: "Not yet",
}
_ANSWER_LINK_STATUS = {
    attendance_links.AnswerLinkProblem.INVALID: 404,
    attendance_links.AnswerLinkProblem.EXPIRED: 410,
}


@never_cache
@require_http_methods(["GET", "POST"])
def attendance_answer(request, token):
    """Public: the link in the patient's text or email. It shows the service's name and nothing
    else. Opening it records nothing but the visit; the answer is saved by the button (a POST),
    so link scanners and message previews that open every link cannot answer for the patient."""
    check = attendance_links.check_token(token)
    if not check.ok:
        return render(
            request,
            "referrals/attendance_link_problem.html",
            {"problem": check.problem},
            status=_ANSWER_LINK_STATUS[check.problem],
        )
    service_referral = check.service_referral
    if request.method == "POST":
        try:
            services.record_patient_reported_attendance(
                service_referral=service_referral, answer=request.POST.get("answer", "")
            )
        except (DomainError, ValidationError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Thank you. We have told your link worker.")
        return redirect(request.path)
    services.record_attendance_question_opened(service_referral=service_referral)
    tapped = check.answer
    buttons = [(tapped, ANSWER_BUTTONS[tapped])] + [
        (answer, label) for answer, label in ANSWER_BUTTONS.items() if answer != tapped
    ]
    return render(
        request,
        "referrals/attendance_question.html",
        {
            "service_name": service_referral.service.name,
            "answerable": service_referral.status in PATIENT_ANSWERABLE_STATUSES,
            "recorded": service_referral.patient_reported_attendance,
            "buttons": buttons,
        },
    )
