"""The case-finding pages cost the same number of queries however much they show: the
practice's lists and its declined, one upload's page and the progress fragment htmx polls
every second, and one identified person's page with their attempts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casefinding import services
from casefinding.models import OutreachEntry
from tests.casefinding.conftest import csv_text, row
from tests.referrals.factories import PatientFactory

pytestmark = pytest.mark.postgres
NUMBERS = ["9991000003", "9991000011", "9991000038", "9991000046", "9991000054"]


def _queries(client, url: str) -> int:
    client.get(url)  # the session and anything cached once
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def _imported(by, practice, *numbers: str):
    text = csv_text(*(row(number) for number in numbers))
    upload = services.confirm_upload(by=by, practice=practice, file_name="list.csv", text=text)
    return services.import_upload(upload_id=upload.pk)


def _declined(entry: OutreachEntry, by) -> None:
    services.take_outreach(entry=entry, by=by)
    services.decline_outreach(entry=entry, by=by, declined_on=timezone.localdate())


def test_the_lists_page_uses_the_same_queries_for_1_or_5_lists_and_declined(
    client, referrer_a, practice_a, coordinator_x, django_assert_num_queries
):
    first, *others = NUMBERS
    first = _imported(referrer_a, practice_a, first)
    _declined(OutreachEntry.objects.get(upload=first), coordinator_x)
    client.force_login(referrer_a)
    url = reverse("casefinding:uploads")
    one = _queries(client, url)
    for number in others:
        upload = _imported(referrer_a, practice_a, number)
        _declined(OutreachEntry.objects.get(upload=upload), coordinator_x)
    with django_assert_num_queries(one):
        page = client.get(url).content.decode()
    assert page.count("list.csv") >= 5


@pytest.mark.parametrize("name", ["casefinding:upload-detail", "casefinding:upload-progress"])
def test_an_uploads_page_and_its_progress_use_the_same_queries_for_1_or_5_rows(
    client, referrer_a, practice_a, name, django_assert_num_queries
):
    client.force_login(referrer_a)
    small = _imported(referrer_a, practice_a, NUMBERS[0])
    one = _queries(client, reverse(name, args=[small.pk]))
    large = _imported(referrer_a, practice_a, *NUMBERS[1:])
    with django_assert_num_queries(one):
        assert client.get(reverse(name, args=[large.pk])).status_code == 200


def test_a_persons_page_uses_the_same_queries_for_1_or_5_attempts(
    client, practice_a, team_x, coordinator_x, django_assert_num_queries
):
    entry = OutreachEntry.objects.create(
        practice=practice_a,
        team=team_x,
        patient=PatientFactory(registered_practice=practice_a),
        efi_category="severe",
        efi_rank=3,
    )
    services.take_outreach(entry=entry, by=coordinator_x)

    def attempt() -> None:
        services.record_outreach_attempt(
            entry=entry,
            by=coordinator_x,
            attempted_on=timezone.localdate(),
            method="phone",
            outcome="no_answer",
        )

    attempt()
    client.force_login(coordinator_x)
    url = reverse("casefinding:entry", args=[entry.pk])
    one = _queries(client, url)
    for _ in range(4):
        attempt()
    with django_assert_num_queries(one):
        page = client.get(url).content.decode()
    assert page.count("No answer") >= 5
