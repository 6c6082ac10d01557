"""The hand-built data set the report tests state their expected numbers against.

April 2025, team X (practices A and B), worked out by hand in each test:

  R1  practice A, received Tue 1 Apr 00:30 BST (31 Mar 23:30 UTC: April in the UK, March in
      UTC), routine, GP, reasons loneliness + money and debt. Accepted +1 day, first contact
      +3 days after receipt, one goal, onward referral sent +4 days after first contact,
      provider accepted it 2 days later and marked it attended. Closed 10 Jun: goals met.
  R2  practice A, received Mon 31 Mar 23:30 BST: March, in no April figure.
  R3  practice B, received Wed 30 Apr 23:30 BST (22:30 UTC), urgent, self-referral, reason
      housing; declined (not eligible) 1 day later.
  R4  practice A, received 15 Apr 10:00, accepted 1 day later, never contacted: still waiting.
  R5  team Y's, received 10 Apr: never in team X's figures.
  R6  practice B, received 20 Apr 10:00, accepted 2 days later, then the patient declined.
  R7  practice A, received 10 Apr 10:00, accepted 1 day later, first contact 2 days after
      receipt, one goal, closed 15 Jun as unable to contact (no onward referral).
"""

import datetime
from dataclasses import dataclass

import pytest

from referrals.models import Referral

from .factories import at, case, goal, onward


@dataclass
class April:
    r1: Referral
    r2: Referral
    r3: Referral
    r4: Referral
    r5: Referral
    r6: Referral
    r7: Referral


DAY = datetime.timedelta(days=1)


@pytest.fixture
def april(practice_a, practice_b, team_x, team_y, referrer_a, referrer_b, coordinator_x):
    a = {"team": team_x, "practice": practice_a, "referred_by": referrer_a}
    b = {"team": team_x, "practice": practice_b, "referred_by": referrer_b}
    received = at(2025, 4, 1, 0, 30)
    r1 = case(
        **a,
        received=received,
        reasons=["loneliness", "money_and_debt"],
        status="closed",
        accepted_at=received + DAY,
        first_contact_at=received + 3 * DAY,
        assigned_to=coordinator_x,
        closed_at=at(2025, 6, 10),
        outcome="goals_met",
    )
    goal(r1, coordinator_x, status="achieved")
    sent = received + 7 * DAY
    onward(
        r1,
        coordinator_x,
        sent=sent,
        status="attended",
        accepted_at=sent + 2 * DAY,
        attended_at=sent + 5 * DAY,
    )
    r2 = case(**a, received=at(2025, 3, 31, 23, 30))
    received = at(2025, 4, 30, 23, 30)
    r3 = case(
        **b,
        received=received,
        reasons=["housing"],
        urgency="urgent",
        source="self",
        status="declined",
        decline_reason="not_eligible",
        closed_at=received + DAY,
    )
    received = at(2025, 4, 15)
    r4 = case(
        **a,
        received=received,
        status="accepted",
        accepted_at=received + DAY,
        assigned_to=coordinator_x,
    )
    r5 = case(team=team_y, practice=practice_a, referred_by=referrer_a, received=at(2025, 4, 10))
    received = at(2025, 4, 20)
    r6 = case(
        **b,
        received=received,
        status="patient_declined",
        accepted_at=received + 2 * DAY,
        closed_at=received + 3 * DAY,
    )
    received = at(2025, 4, 10)
    r7 = case(
        **a,
        received=received,
        status="closed",
        accepted_at=received + DAY,
        first_contact_at=received + 2 * DAY,
        assigned_to=coordinator_x,
        closed_at=at(2025, 6, 15),
        outcome="unable_to_contact",
    )
    goal(r7, coordinator_x)
    return April(r1, r2, r3, r4, r5, r6, r7)
