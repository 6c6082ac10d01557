"""The case-finding uptake report (issue 18): of the people a practice's list identified, how
many the team contacted, and how many accepted or declined, per list and practice and by age
band, sex and ethnic category; suppressed for commissioners like every figure."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from casefinding import services
from casefinding.models import CaseFindingUpload, OutreachEntry, UploadStatus
from tests.referrals.factories import PatientFactory, TeamCoverageFactory

pytestmark = pytest.mark.postgres

URL = reverse("reports:report", args=["case-finding"])


@pytest.fixture
def outreach(practice_a, team_x, referrer_a, coordinator_x):
    """Practice A's list of three: one contacted and accepted, one declined without contact,
    one still identified."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    upload = CaseFindingUpload.objects.create(
        practice=practice_a,
        team=team_x,
        uploaded_by=referrer_a,
        file_name="frailty-list.csv",
        status=UploadStatus.DONE,
    )
    entries = [
        OutreachEntry.objects.create(
            upload=upload,
            practice=practice_a,
            team=team_x,
            # Names no heading or category contains (a random "White" was found in
            # "White: British"), so the page showing no patient can be checked by name.
            patient=PatientFactory(
                registered_practice=practice_a,
                family_name=f"Quillfeather{n}",
                date_of_birth=datetime.date(1940, 1, 1),
            ),
            listed={"sex": "Female", "ethnic_category": "A"},
        )
        for n in range(3)
    ]
    accepted, declined, _ = entries
    services.take_outreach(entry=accepted, by=coordinator_x)
    services.record_outreach_attempt(
        entry=accepted,
        by=coordinator_x,
        attempted_on=timezone.localdate(),
        method="phone",
        outcome="spoke",
    )
    services.accept_outreach(
        entry=accepted, by=coordinator_x, reasons=["loneliness"], help_wanted="A group."
    )
    services.decline_outreach(entry=declined, by=coordinator_x, declined_on=timezone.localdate())
    return upload


def table(client, key: str) -> list[list[str]]:
    response = client.get(URL, {"format": "csv", "table": key})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_manager_sees_each_lists_uptake_per_practice(outreach, client, manager):
    client.force_login(manager)
    rows = table(client, "uptake_by_list")
    assert rows[0][:9] == [
        "Practice",
        "List",
        "Uploaded",
        "Identified",
        "Contacted",
        "Accepted a referral",
        "Declined",
        "No response",
        "Still being contacted",
    ]
    assert rows[1][0:2] == ["Practice A", "frailty-list.csv"]
    assert rows[1][3:] == ["3", "1", "1", "1", "0", "1", "33.3"]


def test_the_uptake_is_broken_down_by_age_band_sex_and_ethnic_category(outreach, client, manager):
    client.force_login(manager)
    assert table(client, "uptake_sex")[1] == ["Practice A", "female", "3", "1", "1", "1"]
    assert table(client, "uptake_ethnicity")[1] == [
        "Practice A",
        "White: British",
        "3",
        "1",
        "1",
        "1",
    ]
    assert table(client, "uptake_age")[1][1] == "85 and over"


def test_the_uptake_page_reads_a_fixed_number_of_queries(
    outreach, client, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert response.status_code == 200
    assert "frailty-list.csv" in response.content.decode()


def test_a_commissioner_sees_the_uptake_suppressed_and_no_patient(outreach, client, commissioner):
    client.force_login(commissioner)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and "&lt;5" in page
    for entry in OutreachEntry.objects.select_related("patient"):
        assert entry.patient.family_name not in page
        assert entry.patient.nhs_number not in page
