"""The team's outreach: take, attempts, and the three ends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from casefinding import services
from casefinding.models import SOCIAL_PRESCRIBING_DECLINED, OutreachEntry
from referrals.errors import IllegalTransition, NotInReceivingTeam
from tests.referrals.factories import PatientFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def entry(practice_a, team_x):
    patient = PatientFactory(registered_practice=practice_a, consent_to_referral=False)
    return OutreachEntry.objects.create(
        practice=practice_a, team=team_x, patient=patient, efi_category="severe", efi_rank=3
    )


def _attempt(entry, by, outcome="no_answer"):
    return services.record_outreach_attempt(
        entry=entry, by=by, attempted_on=timezone.localdate(), method="phone", outcome=outcome
    )


def test_a_coordinator_takes_one_and_nobody_else_can(entry, coordinator_x, manager):
    services.take_outreach(entry=entry, by=coordinator_x)
    with pytest.raises(IllegalTransition):
        services.take_outreach(entry=entry, by=manager)
    entry.refresh_from_db()
    assert (entry.status, entry.assigned_to) == ("taken", coordinator_x)


def test_another_team_cannot_touch_the_entry(entry, coordinator_y):
    with pytest.raises(NotInReceivingTeam):
        services.take_outreach(entry=entry, by=coordinator_y)


def test_accepted_creates_a_proactive_referral_through_intake_with_consent(
    entry, coordinator_x, team_x
):
    services.take_outreach(entry=entry, by=coordinator_x)
    _attempt(entry, coordinator_x, outcome="spoke")
    services.accept_outreach(
        entry=entry, by=coordinator_x, reasons=["loneliness"], help_wanted="A lunch club."
    )
    entry.refresh_from_db()
    referral = entry.referral
    assert (entry.status, referral.source, referral.team) == ("accepted", "proactive", team_x)
    assert referral.patient_id == entry.patient_id
    assert referral.patient_details.consent_to_referral is True
    assert AuditEvent.objects.filter(action="outreach_accepted", object_id=str(entry.pk))


def test_accepted_without_having_spoken_to_them_is_refused(entry, coordinator_x):
    services.take_outreach(entry=entry, by=coordinator_x)
    _attempt(entry, coordinator_x)
    with pytest.raises(ValidationError):
        services.accept_outreach(
            entry=entry, by=coordinator_x, reasons=["loneliness"], help_wanted="x"
        )
    entry.refresh_from_db()
    assert entry.referral is None


def test_declined_is_coded_with_snomed_for_the_practice(client, entry, coordinator_x, referrer_a):
    day = timezone.localdate() - datetime.timedelta(days=1)
    services.decline_outreach(entry=entry, by=coordinator_x, declined_on=day)
    entry.refresh_from_db()
    assert (entry.status, entry.snomed_code, entry.declined_on) == (
        "declined",
        SOCIAL_PRESCRIBING_DECLINED,
        day,
    )
    client.force_login(referrer_a)
    page = client.get(reverse("casefinding:uploads")).content.decode()
    assert "871711000000103" in page and entry.patient.full_name in page


def test_no_response_needs_the_configured_number_of_attempts(entry, coordinator_x, settings):
    settings.OUTREACH_MAX_ATTEMPTS = 2
    services.take_outreach(entry=entry, by=coordinator_x)
    _attempt(entry, coordinator_x)
    with pytest.raises(ValidationError):
        services.end_outreach_no_response(entry=entry, by=coordinator_x)
    _attempt(entry, coordinator_x)
    services.end_outreach_no_response(entry=entry, by=coordinator_x)
    entry.refresh_from_db()
    assert entry.status == "no_response"


def test_the_worklist_page_filters_and_uses_the_same_queries_for_1_or_20(
    client, coordinator_x, practice_a, team_x, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(category="moderate"):
        OutreachEntry.objects.create(
            practice=practice_a,
            team=team_x,
            patient=PatientFactory(registered_practice=practice_a),
            efi_category=category,
            efi_rank=2 if category == "moderate" else 0,
        )

    make()
    client.force_login(coordinator_x)
    url = reverse("casefinding:worklist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(19):
        make()
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="worklist-row"') == 20
    make("fit")
    fit_only = client.get(url, {"efi_category": "fit"}).content.decode()
    assert fit_only.count('data-testid="worklist-row"') == 1


def test_uptake_is_counted_per_practice_by_age_band_sex_and_ethnic_category(
    practice_a, team_x, coordinator_x
):
    from casefinding.selectors import outreach_uptake

    def person(born, sex, ethnic):
        return OutreachEntry.objects.create(
            practice=practice_a,
            team=team_x,
            patient=PatientFactory(registered_practice=practice_a, date_of_birth=born),
            listed={"sex": sex, "ethnic_category": ethnic},
        )

    today = datetime.date(2026, 12, 3)
    first = person(datetime.date(1950, 1, 1), "Female", "A")  # 76
    person(datetime.date(1951, 6, 1), "Female", "A")  # 75
    declined = person(datetime.date(1935, 1, 1), "Male", "")  # 91
    services.take_outreach(entry=first, by=coordinator_x)
    _attempt(first, coordinator_x, outcome="spoke")
    services.accept_outreach(entry=first, by=coordinator_x, reasons=["loneliness"], help_wanted="x")
    services.decline_outreach(entry=declined, by=coordinator_x, declined_on=timezone.localdate())
    rows = {
        (r.age_band, r.sex, r.ethnic_category): (r.identified, r.contacted, r.accepted, r.declined)
        for r in outreach_uptake([team_x.pk], on=today)
    }
    assert rows == {
        ("75-79", "female", "A"): (2, 1, 1, 0),
        ("85 and over", "male", "not given"): (1, 0, 0, 1),
    }


def test_the_outreach_machine_is_the_table_the_services_read():
    from casefinding.models import OUTREACH_MACHINE

    assert OUTREACH_MACHINE.edges() == {
        ("identified", "taken"),
        ("taken", "accepted"),
        ("identified", "declined"),
        ("taken", "declined"),
        ("taken", "no_response"),
    }
