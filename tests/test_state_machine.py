"""common.state_machine: the one shape of a status change, on a toy machine over a service's
statuses, and the five domain tables checked against their models."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from common.errors import DomainError
from common.state_machine import Party, StateMachine, Transition, change_state
from community_services.models import VETTING_MACHINE, Service, ServiceStatus, VettingAction
from coordinators.models import (
    GOAL_MACHINE,
    GOAL_STATUS_ACTIONS,
    REVIEW_MACHINE,
    Goal,
    GoalAction,
    GoalStatus,
    Review,
    ReviewAction,
)
from referrals.models import (
    PROVIDER_ACTIONS,
    REFERRAL_MACHINE,
    SERVICE_REFERRAL_MACHINE,
    Referral,
    ReferralAction,
    ServiceReferral,
    ServiceReferralAction,
)
from tests.community_services.factories import ServiceFactory

S = ServiceStatus
TOY = StateMachine(
    initial=S.DRAFT,
    transitions={
        "send": Transition(
            from_states=(S.DRAFT, S.REJECTED), to_state=S.SUBMITTED, by=(Party.VETTER,), event="e1"
        ),
        "pass": Transition(
            from_states=(S.SUBMITTED,), to_state=S.APPROVED, by=(Party.SYSTEM,), event="e2"
        ),
    },
)


class Refused(DomainError):
    pass


def _refuse(service, action):
    return Refused(f"{action} refused from {service.status}")


def _ignore(change):
    pass


@pytest.fixture
def service(db):
    return ServiceFactory(status=S.DRAFT, status_reason="old")


def test_a_change_locks_the_row_saves_the_status_and_named_fields_and_is_recorded(service):
    recorded = []
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        change = change_state(
            service,
            machine=TOY,
            action="send",
            refuse=_refuse,
            changes={"status_reason": "new"},
            record=recorded.append,
        )
    assert "FOR UPDATE" in queries.captured_queries[0]["sql"]
    update = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE"))
    assert '"status" =' in update and '"status_reason" =' in update and '"name" =' not in update
    assert recorded == [change]
    assert (change.action, change.from_state, change.to_state) == ("send", S.DRAFT, S.SUBMITTED)
    assert change.instance is not service  # the locked row, read afresh
    fresh = Service.objects.get(pk=service.pk)
    assert (fresh.status, fresh.status_reason) == (S.SUBMITTED, "new")


def test_an_action_the_table_does_not_allow_raises_the_refusal_and_changes_nothing(service):
    recorded, asked = [], []

    def changes(row):
        asked.append(row)
        return {"status_reason": "new"}

    with transaction.atomic(), pytest.raises(Refused, match="pass refused from draft"):
        change_state(
            service,
            machine=TOY,
            action="pass",
            refuse=_refuse,
            changes=changes,
            record=recorded.append,
        )
    assert (recorded, asked) == ([], [])
    fresh = Service.objects.get(pk=service.pk)
    assert (fresh.status, fresh.status_reason) == (S.DRAFT, "old")


def test_who_may_is_asked_first_with_the_tables_row(service):
    seen = []

    def authorise(row, transition):
        seen.append((row.status, transition.by))
        raise Refused("not you")

    with transaction.atomic(), pytest.raises(Refused, match="not you"):
        change_state(
            service, machine=TOY, action="pass", refuse=_refuse, authorise=authorise, record=_ignore
        )
    assert seen == [(S.DRAFT, (Party.SYSTEM,))]


def test_the_changes_run_after_the_state_check_on_the_locked_row_and_may_refuse(service):
    Service.objects.filter(pk=service.pk).update(status_reason="changed meanwhile")

    def changes(row):
        assert row.status_reason == "changed meanwhile"
        raise Refused("not yet")

    with transaction.atomic(), pytest.raises(Refused, match="not yet"):
        change_state(
            service, machine=TOY, action="send", refuse=_refuse, changes=changes, record=_ignore
        )
    assert Service.objects.get(pk=service.pk).status == S.DRAFT


def test_a_machine_answers_what_is_open_from_a_state_and_to_whom():
    assert TOY.allows("send", S.REJECTED) and not TOY.allows("send", S.SUBMITTED)
    assert TOY.actions_from(S.SUBMITTED) == ("pass",)
    assert TOY.actions_from(S.SUBMITTED, by=Party.VETTER) == ()
    assert TOY.edges() == {
        (S.DRAFT, S.SUBMITTED),
        (S.REJECTED, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
    }


MACHINES = [
    (REFERRAL_MACHINE, ReferralAction, Referral),
    (SERVICE_REFERRAL_MACHINE, ServiceReferralAction, ServiceReferral),
    (VETTING_MACHINE, VettingAction, Service),
    (REVIEW_MACHINE, ReviewAction, Review),
    (GOAL_MACHINE, GoalAction, Goal),
]


@pytest.mark.parametrize(("machine", "actions", "model"), MACHINES)
def test_every_action_named_has_one_row_between_the_models_statuses(machine, actions, model):
    statuses = {value for value, _ in model._meta.get_field(machine.field).choices}
    assert set(machine.transitions) == set(actions)
    assert machine.initial == model._meta.get_field(machine.field).default
    for transition in machine.transitions.values():
        assert {*transition.from_states, transition.to_state} <= statuses
        assert transition.by and transition.event


def test_the_provider_answers_onward_referrals_and_only_the_team_withdraws():
    assert PROVIDER_ACTIONS == (
        ServiceReferralAction.ACCEPT,
        ServiceReferralAction.DECLINE,
        ServiceReferralAction.ATTENDED,
        ServiceReferralAction.DID_NOT_ATTEND,
        ServiceReferralAction.COMPLETED,
    )
    assert SERVICE_REFERRAL_MACHINE[ServiceReferralAction.WITHDRAW].by == (Party.TEAM,)


def test_each_goal_status_is_set_by_one_action_from_any_other_status():
    assert set(GOAL_STATUS_ACTIONS) == set(GoalStatus)
    for status, action in GOAL_STATUS_ACTIONS.items():
        assert GOAL_MACHINE[action].to_state == status
        assert set(GOAL_MACHINE[action].from_states) == set(GoalStatus) - {status}
