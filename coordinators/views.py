from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from referrals.selectors import caseload_of, triage_queue


@role_required(Role.COORDINATOR, Role.MANAGER)
def home(request):
    return render(
        request,
        "coordinators/home.html",
        {
            "heading": "Your caseload",
            "triage_count": triage_queue(request.user).count(),
            "caseload": caseload_of(request.user),
        },
    )


@role_required(Role.MANAGER)
def team_home(request):
    return render(
        request,
        "coordinators/team_home.html",
        {"heading": "Your team", "triage_count": triage_queue(request.user).count()},
    )
