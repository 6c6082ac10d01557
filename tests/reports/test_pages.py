"""The report pages as each reader sees them: scope, suppression, no names, CSV, audit, and a
fixed number of queries per page (no N+1 as data grows)."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import at, case

pytestmark = pytest.mark.postgres

APRIL = "?period=month&month=2025-04"
PAGES = ["referrals", "waiting-times", "funnel", "community-services", "outcomes", "equity"]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response))))


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_commissioner(client, commissioner):
    client.force_login(commissioner)
    return client


# Session, user, memberships, the commissioned teams (commissioners), the teams, the practices,
# where the day summaries end, each figure's queries, and the audit append (lock, last hash,
# insert).
MANAGER_QUERIES = {
    "referrals": 16,
    "waiting-times": 16,
    "funnel": 11,
    "community-services": 14,
    "outcomes": 14,
    "equity": 14,
}


@pytest.mark.parametrize("slug", PAGES)
def test_each_report_page_reads_a_fixed_number_of_queries(
    slug, april, as_manager, django_assert_num_queries
):
    with django_assert_num_queries(MANAGER_QUERIES[slug]):
        response = as_manager.get(reverse("reports:report", args=[slug]) + APRIL)
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in body(response)


def test_the_workload_page_lists_each_coordinator_for_a_manager(
    april, as_manager, django_assert_num_queries
):
    with django_assert_num_queries(13):
        response = as_manager.get(reverse("reports:report", args=["workload"]))
    assert response.status_code == 200
    page = body(response)
    assert "Cass" in page  # coordinator X, with R4 open and waiting for first contact


def test_a_commissioner_sees_small_counts_suppressed_and_no_patient(april, as_commissioner):
    pages = [as_commissioner.get(reverse("reports:report", args=[s]) + APRIL) for s in PAGES]
    assert all(response.status_code == 200 for response in pages)
    text = "".join(body(response) for response in pages)
    assert "&lt;5" in text
    for referral in (april.r1, april.r3, april.r4, april.r6, april.r7):
        assert referral.reference not in text
        assert referral.patient.family_name not in text
        assert referral.patient.nhs_number not in text
    assert "Cass" not in text  # nor a coordinator's name


def test_the_longest_waits_case_by_case_are_for_managers_only(april, as_manager, commissioner):
    url = reverse("reports:report", args=["waiting-times"]) + APRIL
    assert april.r4.reference in body(as_manager.get(url))
    as_manager.force_login(commissioner)
    assert april.r4.reference not in body(as_manager.get(url))


def test_workload_is_refused_to_a_commissioner(as_commissioner):
    response = as_commissioner.get(reverse("reports:report", args=["workload"]))
    assert response.status_code == 403


def test_a_commissioner_never_sees_another_commissioners_teams(april, client, team_y):
    other = OrganisationFactory(name="Commissioner Y ICB", kind="commissioner")
    other.commissioned_teams.add(team_y)
    reader = UserFactory(email="commissioner.y@test.example")
    MembershipFactory(user=reader, organisation=other, role="commissioner")
    client.force_login(reader)
    url = reverse("reports:report", args=["referrals"]) + APRIL + "&format=csv&table=by_month"
    assert csv_rows(client.get(url)) == [["Month", "Referrals received"], ["Apr 2025", "<5"]]
    # Asking for team X by its id changes nothing: a team outside the scope is ignored.
    response = client.get(url + f"&team={april.r1.team_id}")
    assert csv_rows(response)[1] == ["Apr 2025", "<5"]
    decisions = (
        reverse("reports:report", args=["referrals"]) + APRIL + "&format=csv&table=decisions"
    )
    assert csv_rows(client.get(decisions))[1] == ["Received", "<5"]  # R5 only, not team X's 5


def test_a_commissioner_of_no_team_sees_no_figures(april, client):
    organisation = OrganisationFactory(name="Commissioner Z", kind="commissioner")
    reader = UserFactory(email="commissioner.z@test.example")
    MembershipFactory(user=reader, organisation=organisation, role="commissioner")
    client.force_login(reader)
    url = reverse("reports:report", args=["referrals"]) + APRIL + "&format=csv&table=by_month"
    assert csv_rows(client.get(url))[1] == ["Apr 2025", "0"]


def test_the_csv_has_the_page_filters_and_the_same_suppression(april, as_manager, commissioner):
    url = reverse("reports:report", args=["referrals"]) + APRIL + "&format=csv&table=by_practice"
    manager_rows = csv_rows(as_manager.get(url))
    assert manager_rows == [
        ["Practice", "ODS code", "Referrals"],
        ["Practice A", "Y00001", "3"],
        ["Practice B", "Y00002", "2"],
    ]
    as_manager.force_login(commissioner)
    response = as_manager.get(url)
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response)[1:] == [
        ["Practice A", "Y00001", "<5"],
        ["Practice B", "Y00002", "<5"],
    ]


def test_every_table_of_a_page_comes_in_one_csv(april, as_manager):
    url = reverse("reports:report", args=["outcomes"]) + APRIL + "&format=csv"
    titles = [row[0] for row in csv_rows(as_manager.get(url)) if len(row) == 1]
    assert titles == [
        "Cases closed, by outcome",
        "Goals of the cases closed",
        "Wellbeing: paired change from baseline to follow-up",
    ]


def test_viewing_and_downloading_a_report_are_audited(april, as_manager, manager):
    url = reverse("reports:report", args=["funnel"]) + APRIL
    as_manager.get(url)
    as_manager.get(url + "&format=csv")
    events = list(AuditEvent.objects.filter(actor=manager, object_type="report").order_by("id"))
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("view_report", "report", "funnel"),
        ("export_report", "report", "funnel"),
    ]
    assert "April 2025" in events[0].detail
    assert all(e.patient_id == "" for e in events)


def test_a_bad_period_is_a_message_beside_the_field_not_an_error(april, as_manager):
    response = as_manager.get(
        reverse("reports:report", args=["referrals"]) + "?period=month&month=2025-13"
    )
    assert response.status_code == 200
    assert "Enter a month as year and month, like 2025-04." in body(response)


def test_an_unknown_report_is_not_found(as_manager):
    assert as_manager.get(reverse("reports:report", args=["nothing"])).status_code == 404


def test_the_reports_home_lists_the_pages_for_each_reader(as_manager, commissioner):
    assert "Workload" in body(as_manager.get(reverse("reports:home")))
    as_manager.force_login(commissioner)
    page = body(as_manager.get(reverse("reports:home")))
    assert "Workload" not in page
    assert "Outcomes" in page


def test_a_commissioner_cannot_work_out_a_small_count_from_a_total_on_the_page_or_in_the_csv(
    april, as_commissioner, team_x, practice_a, referrer_a
):
    # Team X in April, from GPs: routine R1, R4, R6, R7 and 6 more; urgent 2 (small).
    for day in range(2, 8):
        case(team=team_x, practice=practice_a, referred_by=referrer_a, received=at(2025, 4, day))
    for day in (8, 9):
        case(
            team=team_x,
            practice=practice_a,
            referred_by=referrer_a,
            received=at(2025, 4, day),
            urgency="urgent",
        )
    url = reverse("reports:report", args=["referrals"]) + APRIL
    rows = {
        row[0]: row
        for row in csv_rows(as_commissioner.get(url + "&format=csv&table=by_urgency_source"))
    }
    routine, urgent, total = rows["GP"][1:]
    assert (routine, urgent) == ("[c]", "<5")  # not the total minus the routine ones
    assert int(total) >= 10
    page = body(as_commissioner.get(url))
    assert "[c]" in page and "cannot be worked out from the total" in page
