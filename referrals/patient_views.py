"""Patient search: one box, results scoped to the user's teams, the search audited."""

from urllib.parse import urlencode

from django.shortcuts import render

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required
from common.pagination import CountingPaginator

from . import services
from .forms import PatientSearchForm
from .patient_search import parse_patient_query, search_patients, search_terms_digest

PAGE_SIZE = 20


@role_required(*TEAM_ROLES, allow_superuser=True)
def patient_search(request):
    """'Is Mrs X with you?': every patient referred to the user's teams, open or not."""
    form = PatientSearchForm(request.GET or None)
    page, query, text = None, None, ""
    if form.is_valid() and form.cleaned_data["q"]:
        text = form.cleaned_data["q"]
        query = parse_patient_query(text)
        page = CountingPaginator(search_patients(request.user, query), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        services.record_patient_search(
            by=request.user, terms_digest=search_terms_digest(text), patients=page.object_list
        )
    return render(
        request,
        "referrals/patient_search.html",
        {
            "form": form,
            "page": page,
            "searched": query is not None,
            "query": urlencode({"q": text}),
        },
    )
