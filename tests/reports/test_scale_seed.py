"""`seed_scale` fills what the reports read, so the benchmark's figures are not empty."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from coordinators.models import WellbeingMeasure
from referrals.models import Patient, Referral, ServiceReferral


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_scale_seed_has_onward_referrals_measures_with_and_without_follow_up():
    call_command("seed_scale", patients=2000, seed=9, stdout=io.StringIO())
    statuses = set(ServiceReferral.objects.values_list("status", flat=True))
    assert {"sent", "accepted", "declined", "attended", "completed", "did_not_attend"} <= statuses
    assert not ServiceReferral.objects.filter(referral__accepted_at__isnull=True).exists()
    per_case = (
        WellbeingMeasure.objects.filter(instrument="swemwbs")
        .values("referral")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in per_case} == {1, 2}  # baseline only, and baseline + follow-up
    closing = WellbeingMeasure.objects.filter(occasion="closing")
    assert not closing.exclude(referral__status="closed").exists()
    assert Referral.objects.values("source").distinct().count() > 5
    assert Patient.objects.filter(ethnic_category="Z").exists()
    assert Patient.objects.filter(ethnic_category="").exists()
