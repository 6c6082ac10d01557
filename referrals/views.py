from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.REFERRER)
def practice_home(request):
    return render(request, "referrals/practice_home.html", {"heading": "Your practice's referrals"})


@role_required(Role.PROVIDER)
def provider_home(request):
    return render(
        request, "referrals/provider_home.html", {"heading": "Referrals to your services"}
    )
