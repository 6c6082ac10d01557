"""The team's outreach worklist and one identified person's page. Thin: forms check input,
the services change state, the selectors scope to the user's team."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required
from common.errors import DomainError
from referrals.selectors import team_ids_of

from . import selectors, services
from .forms import AcceptOutreachForm, DeclineOutreachForm, OutreachAttemptForm, WorklistFilterForm

PAGE_SIZE = 25


@role_required(*TEAM_ROLES)
def worklist(request):
    """Identified patients, the most at risk first, with filters."""
    filters = WorklistFilterForm(request.GET or None, team_ids=team_ids_of(request.user))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.worklist(
            request.user,
            status=chosen.get("status", ""),
            efi_category=chosen.get("efi_category", ""),
            mine=chosen.get("mine", False),
            practice_id=chosen["practice"].pk if chosen.get("practice") else None,
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    services.record_outreach_list_viewed(
        by=request.user, what="outreach worklist", entries=page.object_list
    )
    query = urlencode({k: (v.pk if k == "practice" else v) for k, v in chosen.items() if v})
    return render(
        request,
        "casefinding/worklist.html",
        {"page": page, "filters": filters, "query": query},
    )


def _forms(entry, data=None, which=""):
    return {
        "attempt_form": OutreachAttemptForm(data if which == "attempt" else None),
        "accept_form": AcceptOutreachForm(data if which == "accept" else None),
        "decline_form": DeclineOutreachForm(data if which == "decline" else None),
    }


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def entry_page(request, pk):
    """One person: what the practice's list said, each attempt, and the ways to end it. Each
    form posts here with its name (`action`)."""
    entry = selectors.get_entry(request.user, pk)
    which = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(entry, request.POST, which)
    form = forms.get(f"{which}_form")
    if request.method == "POST":
        try:
            if which == "no_response":
                services.end_outreach_no_response(entry=entry, by=request.user)
            elif form is not None and form.is_valid():
                _run(which, entry, request.user, form.cleaned_data)
            else:
                raise _Invalid
        except _Invalid:
            pass
        except ValidationError as exc:
            if form is not None:
                form.add_error(None, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect("casefinding:entry", pk=entry.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("casefinding:entry", pk=entry.pk)
        else:
            messages.success(request, "Saved.")
            return redirect("casefinding:entry", pk=entry.pk)
    services.record_outreach_viewed(entry=entry, by=request.user)
    return render(
        request,
        "casefinding/entry.html",
        {
            "entry": entry,
            "attempts": entry.attempts.select_related("recorded_by"),
            "mine": entry.assigned_to_id == request.user.pk,
            **forms,
        },
    )


class _Invalid(Exception):
    """A form with errors: shown again on the page."""


def _run(which, entry, by, data):
    if which == "attempt":
        services.record_outreach_attempt(
            entry=entry,
            by=by,
            attempted_on=data["attempted_on"],
            method=data["method"],
            outcome=data["outcome"],
            note=data["note"],
        )
    elif which == "accept":
        services.accept_outreach(
            entry=entry, by=by, reasons=data["reasons"], help_wanted=data["help_wanted"]
        )
    elif which == "decline":
        services.decline_outreach(entry=entry, by=by, declined_on=data["declined_on"])


@role_required(*TEAM_ROLES)
@require_POST
def take(request, pk):
    """Take from the worklist (a button on each row)."""
    entry = selectors.get_entry(request.user, pk)
    try:
        services.take_outreach(entry=entry, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("casefinding:worklist")
    return redirect("casefinding:entry", pk=entry.pk)
