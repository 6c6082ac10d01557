"""The self-referral page: public (no account), or signed in for community organisations and
council staff. Thin: the guard checks the request, the form the answers, the service saves."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common.errors import DomainError

from . import public_form_guard, services
from .self_referral_forms import SelfReferralForm

SESSION_REFERENCE = "self_referral_reference"
REFUSED = "We could not accept this form. Please try again later, or contact your GP practice."


def _signed_in_source(request) -> str | None:
    """None for the public; the source of a signed-in community or council worker; anyone
    else signed in refers through their own pages, not this one."""
    if not request.user.is_authenticated:
        return None
    source = services.source_for_signed_in(request.user)
    if source is None:
        raise PermissionDenied("Practices and coordinator teams refer through their own pages.")
    return source


@require_http_methods(["GET", "POST"])
def self_referral(request):
    signed_in_source = _signed_in_source(request)
    if request.method == "POST":
        if public_form_guard.body_too_large(request):
            return render(
                request, "referrals/self_referral_refused.html", {"reason": REFUSED}, status=413
            )
        if public_form_guard.over_rate_limit(request):
            return render(
                request,
                "referrals/self_referral_refused.html",
                {
                    "reason": "This form has been sent too many times from your connection. "
                    "Please try again in an hour, or contact your GP practice."
                },
                status=429,
            )
    name = request.user.display_name if signed_in_source else ""
    form = SelfReferralForm(
        request.POST or None,
        initial={"started": public_form_guard.started_token(), "referrer_name": name},
        signed_in_source=signed_in_source,
        signed_in_name=name,
    )
    if request.method == "POST":
        if form.honeypot_filled:
            return render(
                request, "referrals/self_referral_refused.html", {"reason": REFUSED}, status=400
            )
        if form.is_valid():
            problem = public_form_guard.fill_time_problem(form.cleaned_data["started"])
            if problem:
                form.add_error(None, problem)
            else:
                try:
                    referral = services.receive_self_referral(
                        practice=form.cleaned_data["practice"],
                        person=form.person_data(),
                        referral=form.referral_data(),
                        referred_by=request.user if signed_in_source else None,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                except DomainError as exc:
                    form.add_error("practice", str(exc))
                else:
                    request.session[SESSION_REFERENCE] = referral.reference
                    return redirect("referrals:self-referral-sent")
        # Sent again from the page: a fresh start time, so the wait is not asked twice.
        form.data = form.data.copy()
        form.data["started"] = public_form_guard.started_token()
    return render(
        request,
        "referrals/self_referral.html",
        {"form": form, "signed_in": bool(signed_in_source)},
    )


def self_referral_sent(request):
    """The confirmation: the reference (kept in the sender's session only) and what next."""
    reference = request.session.get(SESSION_REFERENCE)
    if not reference:
        return redirect("referrals:self-referral")
    return render(request, "referrals/self_referral_sent.html", {"reference": reference})
