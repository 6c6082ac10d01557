"""Patient search, scoped to the user's teams, audited without the terms."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals.patient_search import parse_patient_query, search_patients, search_terms_digest
from tests.referrals.factories import PatientFactory, ReferralFactory
from tests.referrals.test_pages import as_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres
URL = reverse("referrals:patient-search")


@pytest.fixture
def margaret(practice_a, referrer_a, team_x):
    referral = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        patient__given_name="Margaret",
        patient__family_name="Thistlewood",
        patient__nhs_number="9990000018",
        patient__date_of_birth=datetime.date(1941, 3, 15),
        patient__postcode="LS1 4AB",
    )
    return referral


def _found(user, text):
    return list(search_patients(user, parse_patient_query(text)))


@pytest.mark.parametrize(
    "text",
    [
        "Margaret Thistlewood",
        "thistlewood margaret",  # any order
        "Margret Thistlewod",  # typos
        "999 000 0018",
        "9990000018",
        "15/3/1941",
        "1941-03-15",
        "ls14ab",
        "LS1 4AB",
        "thistlewood 15/3/1941",
    ],
)
def test_a_coordinator_finds_the_patient_by_name_number_date_of_birth_or_postcode(
    coordinator_x, margaret, text
):
    assert _found(coordinator_x, text) == [margaret.patient]


def test_the_reference_finds_the_patient(coordinator_x, margaret):
    assert _found(coordinator_x, margaret.reference.lower()) == [margaret.patient]


def test_words_of_different_kinds_narrow_each_other(coordinator_x, margaret):
    assert _found(coordinator_x, "thistlewood 16/3/1941") == []


def test_another_team_does_not_find_the_patient(coordinator_y, margaret):
    assert _found(coordinator_y, "Margaret Thistlewood") == []
    assert _found(coordinator_y, "9990000018") == []


def test_a_patient_never_referred_to_the_team_is_not_found(coordinator_x, margaret, practice_a):
    PatientFactory(given_name="Margaret", family_name="Thistlewood", registered_practice=practice_a)
    assert _found(coordinator_x, "Margaret Thistlewood") == [margaret.patient]


def test_closed_declined_and_anonymised_cases_are_found_and_shown_as_such(
    as_user,  # noqa: F811
    coordinator_x,
    margaret,
    practice_a,
    referrer_a,
    team_x,
):
    margaret.status, margaret.closed_at = "declined", timezone.now()
    margaret.save(update_fields=["status", "closed_at"])
    gone = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        status="closed",
        anonymised_at=timezone.now(),
        patient__given_name="Anonymised",
        patient__family_name="patient",
        patient__nhs_number=None,
        patient__anonymised_at=timezone.now(),
    )
    client = as_user(coordinator_x)
    page = client.get(URL, {"q": "Thistlewood"}).content.decode()
    assert margaret.reference in page and "Declined" in page
    anonymised = client.get(URL, {"q": gone.reference}).content.decode()
    assert gone.reference in anonymised and 'data-testid="anonymised"' in anonymised


def test_the_search_is_audited_with_a_keyed_hash_of_the_terms_never_the_terms(
    as_user,  # noqa: F811
    coordinator_x,
    margaret,
):
    as_user(coordinator_x).get(URL, {"q": "Thistlewood"})
    search = AuditEvent.objects.get(action="search")
    assert "thistlewood" not in search.detail.lower()
    assert search_terms_digest("Thistlewood") in search.detail
    shown = AuditEvent.objects.get(action="view_list", object_type="patient")
    assert shown.patient_id == str(margaret.patient_id)
    assert not AuditEvent.objects.filter(detail__icontains="thistlewood").exists()


def test_the_search_and_the_patients_it_shows_are_audited_in_one_append(
    as_user,  # noqa: F811
    coordinator_x,
    margaret,
):
    client = as_user(coordinator_x)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"q": "Thistlewood"})
    locks = [q for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(locks) == 1
    search = AuditEvent.objects.get(action="search")
    shown = AuditEvent.objects.get(action="view_list", object_type="patient")
    assert shown.previous_hash == search.hash


def test_new_names_go_straight_into_the_name_index_not_a_pending_list_each_search_reads():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'patient_search_name_trgm_idx'"
        )
        (options,) = cursor.fetchone()
    assert "fastupdate=off" in options


def test_opening_a_found_record_is_audited_as_a_view(as_user, coordinator_x, margaret):  # noqa: F811
    as_user(coordinator_x).get(reverse("referrals:detail", args=[margaret.reference]))
    assert AuditEvent.objects.filter(
        action="view", object_type="referral", patient_id=str(margaret.patient_id)
    ).exists()


def test_a_superuser_with_no_team_finds_every_referred_patient(superuser, margaret, team_y):
    other = ReferralFactory(team=team_y, patient__family_name="Thistlewood")
    assert set(_found(superuser, "thistlewood")) == {margaret.patient, other.patient}


def test_a_superuser_may_open_the_search_page(as_user, superuser, margaret):  # noqa: F811
    page = as_user(superuser).get(URL, {"q": "Thistlewood"})
    assert page.status_code == 200 and margaret.reference in page.content.decode()


def test_referrers_and_providers_cannot_search(as_user, referrer_a, provider):  # noqa: F811
    assert as_user(referrer_a).get(URL, {"q": "x"}).status_code == 403
    assert as_user(provider).get(URL, {"q": "x"}).status_code == 403


def test_the_results_page_uses_the_same_number_of_queries_for_1_or_20_patients(
    as_user,  # noqa: F811
    coordinator_x,
    practice_a,
    referrer_a,
    team_x,
    django_assert_num_queries,
):
    def make():
        ReferralFactory(
            referring_practice=practice_a,
            referred_by=referrer_a,
            team=team_x,
            patient__family_name="Ashworth",
        )

    make()
    client = as_user(coordinator_x)
    client.get(URL, {"q": "ashworth"})
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL, {"q": "ashworth"}).status_code == 200
    for _ in range(19):
        make()
    with django_assert_num_queries(len(one)):
        page = client.get(URL, {"q": "ashworth"}).content.decode()
    assert page.count('data-testid="patient-result"') == 20
