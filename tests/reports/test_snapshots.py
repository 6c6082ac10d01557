"""The monthly snapshot: built once per team and month on the 1st, frozen, announced in the
app to the team's managers and its commissioners, and shown without recomputing."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Notification
from reports.models import MonthlySnapshot, SnapshotIsImmutable
from reports.services import build_monthly_snapshots
from reports.tasks import build_monthly_snapshots as build_task

from .factories import at

pytestmark = pytest.mark.postgres

FIRST_OF_MAY = at(2025, 5, 1, 2, 30)


def test_last_months_figures_are_frozen_for_each_team(april, team_x, team_y, manager, commissioner):
    built = build_monthly_snapshots(now=FIRST_OF_MAY)
    assert sorted((s.team_id, s.month) for s in built) == [
        (team_x.pk, datetime.date(2025, 4, 1)),
        (team_y.pk, datetime.date(2025, 4, 1)),
    ]
    snapshot = MonthlySnapshot.objects.get(team=team_x)
    by_month = snapshot.tables["pages"]["referrals"][0]
    assert by_month["key"] == "by_month"
    assert by_month["rows"] == [["Apr 2025", 5]]  # as the live report counts April
    assert "(definitions " in snapshot.code_version
    assert "funnel" in snapshot.definitions
    assert set(snapshot.tables["capacity"]) == {"accepting", "waiting_list", "paused"}


def test_the_managers_and_commissioners_are_told_once(april, manager, commissioner, coordinator_x):
    build_monthly_snapshots(now=FIRST_OF_MAY)
    build_monthly_snapshots(now=FIRST_OF_MAY)  # a second beat builds and tells nothing new
    told = Notification.objects.filter(verb="monthly_snapshot")
    assert sorted(n.recipient.email for n in told) == [
        "commissioner.x@test.example",
        "manager.x@test.example",
    ]
    assert told.first().message == "The April 2025 figures for Team X are ready."
    assert MonthlySnapshot.objects.count() == 2
    assert not Notification.objects.filter(recipient=coordinator_x, verb="monthly_snapshot")


def test_a_snapshot_never_changes(april, team_x):
    build_monthly_snapshots(now=FIRST_OF_MAY)
    snapshot = MonthlySnapshot.objects.get(team=team_x)
    snapshot.code_version = "altered"
    with pytest.raises(SnapshotIsImmutable):
        snapshot.save()
    with pytest.raises(SnapshotIsImmutable):
        snapshot.delete()


def test_the_beat_task_is_named_for_its_app(april, time_machine):
    time_machine.move_to(FIRST_OF_MAY)
    assert build_task.name == "reports.build_monthly_snapshots"
    assert build_task.apply().get() == 2


def test_the_snapshot_page_shows_the_stored_figures_without_recomputing(
    april, team_x, client, commissioner, django_assert_num_queries
):
    build_monthly_snapshots(now=FIRST_OF_MAY)
    snapshot = MonthlySnapshot.objects.get(team=team_x)
    client.force_login(commissioner)
    # Session, user, memberships, commissioned teams, the snapshot, the audit append (3), the
    # notice marked read, the header's unread count: no figure is worked out again.
    with django_assert_num_queries(10):
        response = client.get(reverse("reports:snapshot", args=[snapshot.pk]))
    page = response.content.decode()
    assert "April 2025, as reported" in page
    assert "&lt;5" in page  # suppressed for a commissioner, as the live page
    assert april.r1.reference not in page
    assert not Notification.objects.filter(recipient=commissioner, read_at=None).exists()


def test_another_teams_snapshot_is_not_found(april, team_y, client, commissioner):
    build_monthly_snapshots(now=FIRST_OF_MAY)
    client.force_login(commissioner)
    other = MonthlySnapshot.objects.get(team=team_y)
    assert client.get(reverse("reports:snapshot", args=[other.pk])).status_code == 404
    listed = client.get(reverse("reports:snapshots")).content.decode()
    assert "Team X" in listed
    assert "Team Y" not in listed
