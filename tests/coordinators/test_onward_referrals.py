"""Casework joined to onward referrals: refer on from a goal, the plan follows the provider."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community_services.models import Capacity
from coordinators import services
from coordinators.models import CaseEvent, Goal, PlanAction
from referrals import services as referral_services
from referrals.errors import NoConsentToShare, ServiceNotReferable
from referrals.models import ServiceReferral
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.coordinators.conftest import open_case

pytestmark = pytest.mark.django_db


def _url(name, case, *args):
    return reverse(f"coordinators:{name}", args=[case.reference, *args])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def shared(case):
    """The case, with the patient's consent to share with community services."""
    case.patient.consent_to_share = True
    case.patient.save()
    return case


@pytest.fixture
def lunch_club(provider_org):
    return ApprovedServiceFactory(
        name="Tuesday Lunch Club",
        domains=["loneliness"],
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
        email="referrals@lunch.example",
    )


@pytest.fixture
def goals(shared, coordinator_x):
    return [
        services.add_goal(
            case=shared, by=coordinator_x, statement="See people weekly", need_domain="loneliness"
        ),
        services.add_goal(
            case=shared, by=coordinator_x, statement="Walk to the park", need_domain="nature"
        ),
    ]


def _refer(case, by, service, goals):
    return services.refer_case_on(
        case=case, by=by, service=service, goals=goals, provider_needs_to_know="Likes company."
    )


# --- The service


def test_referring_on_links_the_goals_and_adds_a_plan_action_that_follows_the_referral(
    shared, goals, coordinator_x, lunch_club
):
    action = _refer(shared, coordinator_x, lunch_club, goals)
    service_referral = action.service_referral
    assert set(service_referral.goals.all()) == set(goals)
    assert (action.goal, action.owner, action.owner_detail) == (
        goals[0],
        "community_service",
        "Tuesday Lunch Club",
    )
    assert action.current_status == "in_progress"
    assert CaseEvent.objects.filter(summary="Plan action added: referred to Tuesday Lunch Club")


@pytest.mark.parametrize(
    ("answers", "status", "label"),
    [
        ([], "in_progress", "In progress (referral sent)"),
        (["accept"], "in_progress", "In progress (referral accepted)"),
        (["accept", "attended"], "done", "Done (referral attended)"),
        (["accept", "attended", "completed"], "done", "Done (referral completed)"),
        (["decline"], "cancelled", "Needs a new plan (referral declined)"),
        (["accept", "did_not_attend"], "cancelled", "Needs a new plan (referral did not attend)"),
    ],
)
def test_the_plan_action_shows_the_status_of_its_onward_referral(
    shared, goals, coordinator_x, provider, lunch_club, answers, status, label
):
    action = _refer(shared, coordinator_x, lunch_club, goals[:1])
    for answer in answers:
        referral_services.answer_service_referral(
            action=answer,
            service_referral=action.service_referral,
            by=provider,
            reason="no_capacity",
        )
    action = PlanAction.objects.select_related("service_referral").get(pk=action.pk)
    assert (action.current_status, action.current_status_display) == (status, label)
    assert action.status == "in_progress"  # not copied: derived from the referral


def test_a_withdrawn_referral_needs_a_new_plan(shared, goals, coordinator_x, lunch_club):
    action = _refer(shared, coordinator_x, lunch_club, goals[:1])
    referral_services.withdraw_service_referral(
        service_referral=action.service_referral, by=coordinator_x
    )
    action = PlanAction.objects.select_related("service_referral").get(pk=action.pk)
    assert action.current_status == "cancelled"


def test_the_status_of_a_linked_plan_action_cannot_be_set_by_hand(
    shared, goals, coordinator_x, lunch_club
):
    action = _refer(shared, coordinator_x, lunch_club, goals[:1])
    with pytest.raises(ValidationError) as refused:
        services.update_plan_action(
            action=action,
            by=coordinator_x,
            goal=action.goal,
            description=action.description,
            owner=action.owner,
            owner_detail=action.owner_detail,
            due_date=None,
            status="done",
        )
    assert "follows its onward referral" in str(refused.value)


def test_referring_on_needs_a_goal_of_this_case_and_leaves_nothing_when_refused(
    shared, goals, coordinator_x, lunch_club, practice_a, referrer_a, team_x
):
    other = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    foreign = services.add_goal(case=other, by=coordinator_x, statement="x", need_domain="learning")
    with pytest.raises(ValidationError):
        _refer(shared, coordinator_x, lunch_club, [])
    with pytest.raises(ValidationError):
        _refer(shared, coordinator_x, lunch_club, [foreign])
    assert not ServiceReferral.objects.exists() and not PlanAction.objects.exists()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"capacity": Capacity.PAUSED}, ServiceNotReferable, "has paused referrals"),
        ({"status": "suspended"}, ServiceNotReferable, "its vetting is not current"),
    ],
)
def test_an_unreferable_service_is_refused_and_nothing_is_written(
    shared, goals, coordinator_x, lunch_club, change, error, message
):
    for name, value in change.items():
        setattr(lunch_club, name, value)
    lunch_club.save()
    with pytest.raises(error, match=message):
        _refer(shared, coordinator_x, lunch_club, goals)
    assert not ServiceReferral.objects.exists() and not PlanAction.objects.exists()


def test_without_consent_to_share_the_refusal_says_how_to_record_it(
    shared, goals, coordinator_x, lunch_club
):
    shared.patient.consent_to_share = False
    shared.patient.save()
    with pytest.raises(NoConsentToShare, match="Record consent to share"):
        _refer(shared, coordinator_x, lunch_club, goals)
    assert not PlanAction.objects.exists()


# --- The pages: goal → search → confirm


def test_each_goal_offers_referring_on_and_the_search_prefills_its_need(
    as_user, shared, goals, coordinator_x, lunch_club
):
    ApprovedServiceFactory(name="Paused Lunch", capacity=Capacity.PAUSED, domains=["loneliness"])
    ApprovedServiceFactory(name="Park Walks", domains=["nature"])
    client = as_user(coordinator_x)
    search = _url("case-refer-on", shared) + f"?goal={goals[0].pk}"
    assert search in client.get(_url("case", shared)).content.decode()
    page = client.get(search).content.decode()
    assert '<option value="loneliness" selected>' in page
    assert "Tuesday Lunch Club" in page
    assert "Paused Lunch" not in page and "Park Walks" not in page
    assert (
        _url("case-refer-on-service", shared, lunch_club.public_id) + f"?goal={goals[0].pk}" in page
    )


def test_the_confirm_step_ticks_the_goal_and_sending_links_goals_and_plan(
    as_user, shared, goals, coordinator_x, lunch_club
):
    lunch_club.capacity = Capacity.WAITING_LIST
    lunch_club.expected_wait_weeks = 6
    lunch_club.save()
    client = as_user(coordinator_x)
    url = _url("case-refer-on-service", shared, lunch_club.public_id) + f"?goal={goals[1].pk}"
    page = client.get(url).content.decode()
    assert "Waiting list, about 6 weeks" in page
    assert f'value="{goals[1].pk}" checked' in page and f'value="{goals[0].pk}" checked' not in page
    response = client.post(
        url, {"goals": [goals[0].pk, goals[1].pk], "provider_needs_to_know": "Likes cooking."}
    )
    assert response.url == _url("case", shared)
    action = PlanAction.objects.get()
    assert action.goal == goals[1]  # the goal the coordinator started from
    assert set(action.service_referral.goals.all()) == set(goals)
    assert action.service_referral.provider_needs_to_know == "Likes cooking."


def test_the_confirm_step_needs_a_goal_and_what_the_provider_needs_to_know(
    as_user, shared, goals, coordinator_x, lunch_club
):
    url = _url("case-refer-on-service", shared, lunch_club.public_id)
    page = as_user(coordinator_x).post(url, {"provider_needs_to_know": ""}).content.decode()
    assert "Choose at least one goal this referral is for." in page
    assert "Say what the provider needs to know about the patient." in page
    assert not ServiceReferral.objects.exists()


def test_a_refusal_is_shown_on_the_confirm_step(as_user, shared, goals, coordinator_x, lunch_club):
    _refer(shared, coordinator_x, lunch_club, goals[:1])
    url = _url("case-refer-on-service", shared, lunch_club.public_id)
    page = (
        as_user(coordinator_x)
        .post(url, {"goals": [goals[0].pk], "provider_needs_to_know": "Again"})
        .content.decode()
    )
    assert "already has an open referral to Tuesday Lunch Club" in page
    assert PlanAction.objects.count() == 1


def test_a_paused_service_cannot_be_chosen_and_says_why(
    as_user, shared, goals, coordinator_x, lunch_club
):
    lunch_club.capacity = Capacity.PAUSED
    lunch_club.save()
    url = _url("case-refer-on-service", shared, lunch_club.public_id)
    client = as_user(coordinator_x)
    assert "has paused referrals for now" in client.get(url).content.decode()
    page = client.post(url, {"goals": [goals[0].pk], "provider_needs_to_know": "x"})
    assert "has paused referrals" in page.content.decode()
    assert not ServiceReferral.objects.exists()


def test_without_consent_the_search_says_why_and_recording_consent_comes_back(
    as_user, case, coordinator_x, lunch_club
):
    goal = services.add_goal(case=case, by=coordinator_x, statement="x", need_domain="loneliness")
    client = as_user(coordinator_x)
    search = _url("case-refer-on", case) + f"?goal={goal.pk}"
    page = client.get(search).content.decode()
    assert "has not consented to their details being shared" in page
    consent_url = reverse("referrals:consent-to-share", args=[case.reference])
    assert consent_url in page
    response = client.post(f"{consent_url}?next={search}", {"consent_to_share": "on"})
    assert response.url == search
    assert "Tuesday Lunch Club" in client.get(search).content.decode()


def test_without_an_active_goal_referring_on_says_to_add_one(as_user, shared, coordinator_x):
    response = as_user(coordinator_x).get(_url("case-refer-on", shared), follow=True)
    assert "Add a goal first" in response.content.decode()


def test_another_team_cannot_refer_on_from_the_case(
    as_user, shared, goals, coordinator_y, lunch_club
):
    client = as_user(coordinator_y)
    assert client.get(_url("case-refer-on", shared)).status_code == 404
    url = _url("case-refer-on-service", shared, lunch_club.public_id)
    assert (
        client.post(url, {"goals": [goals[0].pk], "provider_needs_to_know": "x"}).status_code == 404
    )
    assert not ServiceReferral.objects.exists()


# --- The case page


def test_the_case_page_lists_onward_referrals_links_plan_and_goals_and_times_the_events(
    as_user, shared, goals, coordinator_x, provider, lunch_club
):
    action = _refer(shared, coordinator_x, lunch_club, goals)
    ServiceReferral.objects.filter(pk=action.service_referral_id).update(
        sent_at=timezone.now() - datetime.timedelta(days=10)
    )
    page = as_user(coordinator_x).get(_url("case", shared)).content.decode()
    onward = page[page.index('data-testid="onward-referrals"') :]
    assert "Waiting 1\xa0week, 3\xa0days for an answer" in onward
    assert 'data-testid="plan-action-onward-referral"' in page
    assert "In progress (referral sent)" in page
    assert page.count('data-testid="goal-onward-referrals"') == 2
    referral_services.accept_service_referral(service_referral=action.service_referral, by=provider)
    page = as_user(coordinator_x).get(_url("case", shared)).content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.index("Onward referral to Tuesday Lunch Club sent → accepted") < timeline.index(
        "Onward referral to Tuesday Lunch Club sent ("
    )


def test_the_case_page_query_count_does_not_grow_with_onward_referrals_and_their_events(
    as_user, shared, goals, coordinator_x, django_assert_num_queries
):
    client = as_user(coordinator_x)
    url = _url("case", shared)
    _refer(shared, coordinator_x, ApprovedServiceFactory(), goals[:1])
    client.get(url)
    before = _queries(client, url)
    for n in range(3):
        action = _refer(shared, coordinator_x, ApprovedServiceFactory(), goals[n % 2 :])
        referral_services.accept_service_referral(
            service_referral=action.service_referral, by=coordinator_x
        )
        referral_services.record_service_attended(
            service_referral=action.service_referral, by=coordinator_x
        )
    with django_assert_num_queries(before):
        client.get(url)


def test_the_referral_page_links_to_the_case_and_no_longer_closes_it_alone(
    as_user, shared, coordinator_x
):
    page = as_user(coordinator_x).get(reverse("referrals:detail", args=[shared.reference]))
    page = page.content.decode()
    assert 'data-testid="case-link"' in page and _url("case", shared) in page
    assert "Close the referral" not in page


# --- Caseloads


def test_my_caseload_flags_a_provider_not_answering_for_how_long_in_fixed_queries(
    as_user, shared, goals, coordinator_x, lunch_club, practice_a, referrer_a, team_x,
    django_assert_num_queries,
):  # fmt: skip
    client = as_user(coordinator_x)
    url = reverse("coordinators:home")
    assert 'data-testid="provider-not-answered"' not in client.get(url).content.decode()
    action = _refer(shared, coordinator_x, lunch_club, goals[:1])
    ServiceReferral.objects.filter(pk=action.service_referral_id).update(
        sent_at=timezone.now() - datetime.timedelta(days=9)
    )
    page = client.get(url).content.decode()
    assert "Provider not answered for 1\xa0week, 2\xa0days" in page
    before = _queries(client, url)
    other = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    other.patient.consent_to_share = True
    other.patient.save()
    goal = services.add_goal(case=other, by=coordinator_x, statement="y", need_domain="loneliness")
    _refer(other, coordinator_x, lunch_club, [goal])
    with django_assert_num_queries(before):
        page = client.get(url).content.decode()
    assert page.count('data-testid="provider-not-answered"') == 2


def test_the_team_caseload_flags_a_provider_not_answering(
    as_user, shared, goals, coordinator_x, manager, lunch_club, django_assert_num_queries
):
    _refer(shared, coordinator_x, lunch_club, goals[:1])
    client = as_user(manager)
    url = reverse("coordinators:team-home")
    before = _queries(client, url)
    with django_assert_num_queries(before):
        page = client.get(url).content.decode()
    assert 'data-testid="provider-not-answered"' in page
    assert Goal.objects.filter(service_referrals__isnull=False).count() == 1


# --- The API: the onward referral, its goals and its plan action in one call


def _refer_on_api(user, case, service, goal_ids, **extra):
    from tests.referrals.conftest import token_client

    return token_client(user).post(
        f"/api/v1/cases/{case.pk}/refer-on/",
        {
            "service": str(service.public_id),
            "goals": goal_ids,
            "provider_needs_to_know": "Likes company.",
            **extra,
        },
        format="json",
    )


def test_the_api_refers_on_for_goals_with_the_plan_action_as_the_page_does(
    shared, goals, coordinator_x, lunch_club
):
    response = _refer_on_api(
        coordinator_x, shared, lunch_club, [goals[1].pk, goals[0].pk], due_date="2027-01-15"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    action = PlanAction.objects.get(pk=body["plan_action"])
    assert action.goal == goals[1]  # the first goal given leads
    assert action.due_date == datetime.date(2027, 1, 15)
    service_referral = ServiceReferral.objects.get(pk=body["service_referral"]["id"])
    assert action.service_referral == service_referral
    assert set(service_referral.goals.all()) == set(goals)
    assert body["service_referral"]["service_name"] == "Tuesday Lunch Club"


def test_the_api_refuses_another_cases_goal_and_creates_nothing(
    shared, goals, coordinator_x, lunch_club, practice_a, referrer_a, team_x
):
    other = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    stranger = services.add_goal(
        case=other, by=coordinator_x, statement="Someone else's goal", need_domain="nature"
    )
    response = _refer_on_api(coordinator_x, shared, lunch_club, [goals[0].pk, stranger.pk])
    assert response.status_code == 400
    assert "goals" in response.json()
    assert not ServiceReferral.objects.exists()
    assert not PlanAction.objects.exists()


def test_the_api_refuses_without_consent_to_share_and_creates_nothing(
    shared, goals, coordinator_x, lunch_club
):
    shared.patient.consent_to_share = False
    shared.patient.save()
    response = _refer_on_api(coordinator_x, shared, lunch_club, [goals[0].pk])
    assert response.status_code in (400, 409)
    assert not ServiceReferral.objects.exists()
    assert not PlanAction.objects.exists()


def test_another_team_cannot_refer_on_from_a_case_it_does_not_hold(
    shared, goals, coordinator_y, lunch_club
):
    response = _refer_on_api(coordinator_y, shared, lunch_club, [goals[0].pk])
    assert response.status_code == 404
    assert not ServiceReferral.objects.exists()
