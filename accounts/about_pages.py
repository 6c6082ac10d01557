"""The pages every footer links to, open to anyone: the accessibility statement and the
privacy notice, written for this service."""

from django.conf import settings
from django.shortcuts import render


def accessibility_statement(request):
    return render(request, "about/accessibility.html")


def privacy_notice(request):
    years = round(settings.RETENTION_CLOSED_CASE_DAYS / 365)
    return render(request, "about/privacy.html", {"retention_years": years})
