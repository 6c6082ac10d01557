from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.COORDINATOR, Role.MANAGER)
def home(request):
    return render(request, "coordinators/home.html", {"heading": "Your caseload"})


@role_required(Role.MANAGER)
def team_home(request):
    return render(request, "coordinators/team_home.html", {"heading": "Your team"})
