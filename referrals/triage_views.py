"""The triage queue page, and its rows: accept, assign and decline from a row with htmx. A row
asks the referral's own accept and decline pages (the same forms and service functions) for its
fragment; without JavaScript the row's links open those pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from . import services
from .models import Referral
from .selectors import triage_overdue, triage_queue, triage_queue_practices
from .triage_forms import TriageFilterForm

PAGE_SIZE = 25
IN_QUEUE = "queue"  # the `in` parameter a row's htmx requests carry


@role_required(*TEAM_ROLES)
def triage(request):
    """Received referrals for the team: urgent, then risk-flagged, then the longest waiting;
    those past the triage target marked overdue."""
    filters = TriageFilterForm(request.GET or None, practices=triage_queue_practices(request.user))
    chosen = filters.selector_filters()
    page = Paginator(triage_queue(request.user, **chosen), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    services.record_referral_list_viewed(
        by=request.user, what="triage queue", referrals=page.object_list
    )
    query = urlencode({k: v for k, v in filters.data.items() if k != "page" and v})
    return render(
        request,
        "referrals/triage_queue.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "overdue": triage_overdue(page.object_list, now=timezone.now()),
            "in_queue": IN_QUEUE,
        },
    )


class QueueRow:
    """A referral's accept or decline form answered as one row of the queue (htmx), not a page."""

    def __init__(self, request: HttpRequest, referral: Referral, *, heading: str, button: str):
        self.request, self.referral = request, referral
        self.heading, self.button = heading, button

    @classmethod
    def asked_for(cls, request: HttpRequest, referral: Referral, *, heading: str, button: str):
        """A QueueRow when the queue's htmx asked, else None (the full page)."""
        if request.headers.get("HX-Request") == "true" and request.GET.get("in") == IN_QUEUE:
            return cls(request, referral, heading=heading, button=button)
        return None

    def form(self, form, patient) -> HttpResponse:
        form.auto_id = f"id_{self.referral.reference}_%s"  # unique while other rows are open
        return render(
            self.request,
            "referrals/includes/triage_row_form.html",
            {
                "referral": self.referral,
                "patient": patient,
                "form": form,
                "heading": self.heading,
                "button": self.button,
                "action_url": f"{self.request.path}?in={IN_QUEUE}",
            },
        )

    def done(self) -> HttpResponse:
        """The row after the change: what happened, in the words the page's message used."""
        said = [str(message) for message in messages.get_messages(self.request)]
        return render(
            self.request,
            "referrals/includes/triage_row_done.html",
            {"referral": self.referral, "said": said},
        )
