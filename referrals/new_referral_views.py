"""A new referral, in short steps: find the patient, then patient; contact and needs; risk;
consent; "Check your answers"; send.

The answers wait in the session (Django's own, already signed in and expiring with it), one step
at a time, and are checked once more as a whole when sent: a plain session store rather than
django-formtools' wizard, because the check-your-answers page with a change link to each step
and the single-use submission token are most of the flow, and the wizard would need both added
by hand. Sending is POST-redirect-GET: Back after sending lands on "Our referrals", never on a
form to post again."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation, Role
from accounts.permissions import role_required
from common.errors import DomainError

from . import idempotency, services
from .errors import IdempotencyKeyInFlight
from .forms import FindPatientForm
from .models import Patient, Referral
from .nhs_number import formatted
from .referral_forms import STEP_BY_SLUG, STEPS, ReferralForm
from .selectors import details_from_own_practice, practice_ids_of

SESSION_NHS_NUMBER = "new_referral_nhs_number"
SESSION_ANSWERS = "new_referral_answers"  # {step slug: the step's posted values}
SESSION_SENT = "new_referral_sent"  # the reference just sent, for Back after sending
NEW_REFERRAL = "new-referral"  # the form's name for its submission tokens
IN_FLIGHT_MESSAGE = "This referral is being sent already. Look in Our referrals in a moment."
STALE_FORM_MESSAGE = (
    "This form has expired or was opened in another session. Check the details and send it again."
)


@role_required(Role.REFERRER)
@require_http_methods(["GET", "POST"])
def new_referral(request):
    """Find the patient by NHS number: a new number starts a new set of answers."""
    form = FindPatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.session.get(SESSION_NHS_NUMBER) != form.cleaned_data["nhs_number"]:
            request.session[SESSION_ANSWERS] = {}
        request.session[SESSION_NHS_NUMBER] = form.cleaned_data["nhs_number"]
        request.session.pop(SESSION_SENT, None)
        return redirect("referrals:new-step", step=STEPS[0].slug)
    return render(request, "referrals/find_patient.html", {"form": form})


def _prefill(request, nhs_number: str, *, audit: bool) -> dict:
    """What this practice said last time (never the shared record); consent is asked afresh."""
    previous = details_from_own_practice(request.user, nhs_number)
    if previous is None:
        return {}
    if audit:
        services.record_patient_viewed(
            patient=Patient(pk=previous.referral.patient_id),
            by=request.user,
            detail=f"prefilled a new referral from {previous.referral.reference}",
        )
    initial = {name: getattr(previous, name, "") for name in ReferralForm.PATIENT_FIELDS}
    initial["consent_to_referral"] = False
    return initial


def _answers(request) -> dict[str, dict[str, list[str]]]:
    return request.session.get(SESSION_ANSWERS) or {}


def _first_missing(answers) -> str | None:
    return next((step.slug for step in STEPS if step.slug not in answers), None)


def _as_data(answers, slugs=None) -> QueryDict:
    data = QueryDict(mutable=True)
    for slug, values in answers.items():
        if slugs is None or slug in slugs:
            for name, items in values.items():
                data.setlist(name, items)
    return data


@role_required(Role.REFERRER)
@require_http_methods(["GET", "POST"])
def new_referral_step(request, step):
    """One step of the referral. Valid answers are kept and the next step (or, when changing
    an answer, the check page) follows; nothing is sent until the check page."""
    if step not in STEP_BY_SLUG:
        raise Http404("No such step.")
    nhs_number = request.session.get(SESSION_NHS_NUMBER)
    if not nhs_number:
        return redirect("referrals:new")
    current = STEP_BY_SLUG[step]
    answers = _answers(request)
    index = STEPS.index(current)
    changing = request.GET.get("change") == "1"
    initial: dict = {}
    if request.method == "POST":
        form = current.form_class(request.POST)
        if form.is_valid():
            answers[step] = {
                name: request.POST.getlist(name)
                for name in request.POST
                if name != "csrfmiddlewaretoken"
            }
            request.session[SESSION_ANSWERS] = answers
            if (changing and _first_missing(answers) is None) or index + 1 == len(STEPS):
                return redirect("referrals:new-check")
            return redirect("referrals:new-step", step=STEPS[index + 1].slug)
    elif step in answers:
        form = current.form_class(_as_data(answers, {step}))
    else:
        initial = _prefill(request, nhs_number, audit=index == 0)
        fields = current.form_class.base_fields
        form = current.form_class(initial={k: v for k, v in initial.items() if k in fields})
    if changing:
        back = reverse("referrals:new-check")
    elif index:
        back = reverse("referrals:new-step", args=[STEPS[index - 1].slug])
    else:
        back = reverse("referrals:new")
    return render(
        request,
        "referrals/new_referral_risk.html"
        if step == "risk"
        else "referrals/new_referral_step.html",
        {
            "form": form,
            "step": current,
            "number": index + 1,
            "of": len(STEPS),
            "nhs_number": formatted(nhs_number),
            "back": back,
            "changing": changing,
            "referred_before": index == 0 and bool(initial),
        },
    )


@role_required(Role.REFERRER)
@require_http_methods(["GET", "POST"])
def new_referral_check(request):
    """Check your answers, each with a change link; Send posts once per submission token."""
    token = request.POST.get("submission_token", "") if request.method == "POST" else ""
    replayed = idempotency.replayed_form_result(user=request.user, form=NEW_REFERRAL, token=token)
    if replayed is not None:  # the same form posted again: nothing new, the first result
        return redirect("referrals:confirmation", reference=replayed["reference"])
    nhs_number = request.session.get(SESSION_NHS_NUMBER)
    answers = _answers(request)
    if not nhs_number:
        sent = request.session.get(SESSION_SENT)
        if sent:  # Back after sending: the list, where the referral now is
            messages.info(request, f"Referral {sent} has been sent. It is in the list below.")
            return redirect("referrals:practice-home")
        return redirect("referrals:new")
    missing = _first_missing(answers)
    if missing is not None:
        return redirect("referrals:new-step", step=missing)
    data = _as_data(answers)
    data["submission_token"] = (
        token
        if request.method == "POST"
        else idempotency.issue_form_token(request.session, form=NEW_REFERRAL)
    )
    form = ReferralForm(data)
    if form.is_valid() and request.method == "POST":
        practice = Organisation.objects.filter(pk__in=practice_ids_of(request.user)).first()
        received = _send_referral(request, form, practice=practice, nhs_number=nhs_number)
        if received is not None:
            reference = received.referral.reference
            for key in (SESSION_NHS_NUMBER, SESSION_ANSWERS):
                request.session.pop(key, None)
            request.session[SESSION_SENT] = reference
            return redirect("referrals:confirmation", reference=reference)
    return render(
        request,
        "referrals/new_referral_check.html",
        {
            "form": form,
            "nhs_number": formatted(nhs_number),
            "sections": _answer_rows(form) if form.is_bound else [],
        },
    )


def _answer_rows(form: ReferralForm) -> list[dict]:
    """Each step's questions and answers as the referrer gave them, for the summary list."""
    sections = []
    for step in STEPS:
        rows = []
        for name in step.form_class.base_fields:
            bound = form[name]
            rows.append(
                {
                    "name": name,
                    "label": bound.label,
                    "value": _shown(form, name),
                    "errors": bound.errors,
                    "change": reverse("referrals:new-step", args=[step.slug])
                    + f"?change=1#{bound.auto_id}",
                }
            )
        sections.append({"step": step, "rows": rows})
    return sections


def _shown(form: ReferralForm, name: str) -> str:
    field = form.fields[name]
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    if value in (None, "", []):
        return "Not given" if not isinstance(value, bool) else "No"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    return str(choices.get(value, value))


def _send_referral(request, form, *, practice, nhs_number):
    """Post the form once per submission token: a token already used replays its referral, a
    token this session was never given asks for the answers to be checked and sent again."""
    token = form.cleaned_data["submission_token"]
    try:
        claim = idempotency.claim_form_token(
            session=request.session, user=request.user, form=NEW_REFERRAL, token=token
        )
    except IdempotencyKeyInFlight:
        form.add_error(None, IN_FLIGHT_MESSAGE)
        return None
    if claim is None:
        form.add_error(None, STALE_FORM_MESSAGE)
        form.data = form.data.copy()
        form.data["submission_token"] = idempotency.issue_form_token(
            request.session, form=NEW_REFERRAL
        )
        return None
    if claim.replay:
        return services.ReceivedReferral(
            referral=Referral.objects.get(reference=claim.record.response_body["reference"]),
            patient_created=False,
        )
    try:
        with transaction.atomic():
            received = services.receive_referral(
                referred_by=request.user,
                practice=practice,
                patient=form.patient_data(nhs_number),
                referral=form.referral_data(),
            )
            idempotency.complete_key(
                record=claim.record,
                status=201,
                body={"reference": received.referral.reference},
            )
    except ValidationError as exc:
        idempotency.release_key(record=claim.record)
        form.add_error(None, exc)
    except DomainError as exc:
        idempotency.release_key(record=claim.record)
        form.add_error(None, str(exc))
    except BaseException:
        idempotency.release_key(record=claim.record)
        raise
    else:
        return received
    return None
