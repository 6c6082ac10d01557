from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from .models import Role
from .permissions import role_required
from .selectors import audit_events_for_browsing, home_url_for


@login_required
def home(request):
    return redirect(home_url_for(request.user))


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html")


@role_required(Role.MANAGER, allow_superuser=True)
def audit_list(request):
    filters = {
        "action": request.GET.get("action", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "patient_id": request.GET.get("patient_id", "").strip(),
    }
    page = Paginator(audit_events_for_browsing(**filters), 50).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in filters.items() if value})
    return render(
        request, "accounts/audit_list.html", {"page": page, "filters": filters, "query": query}
    )
