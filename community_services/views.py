from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.VETTER)
def vetter_home(request):
    return render(
        request, "community_services/vetter_home.html", {"heading": "Directory and vetting"}
    )
