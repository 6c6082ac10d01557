import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Membership, User
from bench.scale_rows import Counts
from community_services.models import Service
from coordinators.models import CaseEvent, Goal, Review, ReviewStatus
from referrals.models import Patient, Referral, ReferralEvent, ReferralStatus, TeamCoverage
from referrals.nhs_number import is_valid


def _seed(patients=2000, seed=9):
    call_command("seed_scale", patients=patients, seed=seed, stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_small_scale_seed_creates_every_table_in_proportion():
    _seed()
    counts = Counts.for_patients(2000)
    assert Patient.objects.count() == 2000
    assert Referral.objects.count() == counts.referrals == 2400
    assert Goal.objects.count() == counts.goals
    assert Review.objects.count() == counts.reviews
    assert ReferralEvent.objects.count() + CaseEvent.objects.count() == counts.events
    assert Service.objects.count() == counts.services
    assert Service.objects.filter(search_vector__isnull=True).count() == 0
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    soon = timezone.now() + datetime.timedelta(hours=24)
    due = Review.objects.filter(
        status=ReviewStatus.SCHEDULED, scheduled_for__gt=timezone.now(), scheduled_for__lte=soon
    )
    assert due.count() == counts.reviews_due_soon


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_scale_seed_is_referentially_sane():
    _seed()
    assert all(
        is_valid(n) and n.startswith("999")
        for n in Patient.objects.values_list("nhs_number", flat=True)
    )
    # Every referral goes to the team covering its practice, and a case's coordinator is in it.
    coverage = dict(TeamCoverage.objects.values_list("practice_id", "team_id"))
    for practice, team, assignee in Referral.objects.values_list(
        "referring_practice_id", "team_id", "assigned_to_id"
    ):
        assert coverage[practice] == team
        if assignee:
            assert Membership.objects.filter(user_id=assignee, organisation_id=team).exists()
    # Casework only on cases, at most one scheduled review each.
    assert not Goal.objects.exclude(referral__accepted_at__isnull=False).exists()
    assert not (
        Review.objects.filter(status=ReviewStatus.SCHEDULED)
        .values("referral")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not Referral.objects.filter(patient__registered_practice=F("team")).exists()
    assert not Referral.objects.filter(
        ~Q(referred_by__memberships__organisation=F("referring_practice"))
    ).exists()
    # Staff log in with two-factor authentication.
    staff = User.objects.filter(memberships__role__in=["coordinator", "manager", "vetter"])
    assert staff.exists()
    assert not staff.filter(authenticator__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_each_showcase_case_has_ten_goals_eight_reviews_and_sixty_events():
    _seed()
    showcase = Referral.objects.annotate(goal_count=Count("goals", distinct=True)).filter(
        goal_count=10
    )
    assert showcase.exists()
    for case in showcase:
        assert case.reviews.count() == 8
        assert case.events.count() + case.case_events.count() == 60


class _Undo(Exception):
    pass


def _population(seed: int) -> list[tuple]:
    """Seed inside a savepoint, read the population, roll it back."""
    try:
        with transaction.atomic():
            _seed(patients=300, seed=seed)
            rows = list(
                Referral.objects.order_by("id").values_list(
                    "reference", "status", "assigned_to__email", "patient__nhs_number"
                )
            )
            rows += list(
                Goal.objects.order_by("id").values_list("referral__reference", "statement")  # type: ignore[arg-type]
            )
            raise _Undo
    except _Undo:
        return rows


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_same_seed_gives_the_same_population_and_another_seed_another():
    first = _population(4)
    assert first == _population(4)
    assert first != _population(5)
