"""Issue 19 item 5: the triage queue's order, overdue marks, filters, and triage from a row."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals.models import Referral, ReferralStatus
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


@pytest.fixture
def make(referrer_a, practice_a, team_x):
    def _make(*, days=0, **fields):
        return ReferralFactory(
            referring_practice=fields.pop("referring_practice", practice_a),
            referred_by=referrer_a,
            team=team_x,
            received_at=timezone.now() - datetime.timedelta(days=days),
            **fields,
        )

    return _make


def _queue(client, **params):
    return client.get(reverse("referrals:triage"), params).content.decode()


def _row(page, reference):
    return page[page.index(f'data-reference="{reference}"') :].split("</tr>")[0]


def test_the_queue_puts_urgent_first_then_risk_flagged_then_the_oldest(
    as_user, coordinator_x, make
):
    routine_old = make(days=9)
    risk_new = make(days=1, risk_flag=True)
    urgent_new = make(days=1, urgency="urgent")
    urgent_risk = make(days=0, urgency="urgent", risk_flag=True)
    routine_new = make(days=2)
    page = _queue(as_user(coordinator_x))
    order = [r.reference for r in (urgent_risk, urgent_new, risk_new, routine_old, routine_new)]
    assert sorted(order, key=page.index) == order


def test_a_referral_past_its_triage_target_is_marked_overdue(
    as_user, coordinator_x, make, settings
):
    settings.REFERRAL_TRIAGE_WORKING_DAYS = 2
    overdue, fresh = make(days=10), make(days=0)
    page = _queue(as_user(coordinator_x))
    assert 'data-testid="overdue"' in _row(page, overdue.reference)
    assert 'data-testid="overdue"' not in _row(page, fresh.reference)


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({"urgency": "urgent"}, "urgent"),
        ({"risk": "flagged"}, "risk"),
        ({"need_domain": "housing"}, "housing"),
        ({"source": "self"}, "self"),
        ({"practice": "B"}, "practice_b"),
    ],
)
def test_each_filter_narrows_the_queue_to_the_referrals_it_names(
    as_user, coordinator_x, make, practice_b, params, wanted
):
    plain = make()
    chosen = {
        "urgent": lambda: make(urgency="urgent"),
        "risk": lambda: make(risk_flag=True),
        "housing": lambda: make(reasons=["housing"]),
        "self": lambda: make(source="self"),
        "practice_b": lambda: make(referring_practice=practice_b),
    }[wanted]()
    if params.get("practice"):
        params = {"practice": practice_b.pk}
    page = _queue(as_user(coordinator_x), **params)
    assert chosen.reference in page
    assert plain.reference not in page


def test_without_javascript_each_row_links_to_the_referrals_accept_and_decline_pages(
    as_user, coordinator_x, referral_a
):
    page = _queue(as_user(coordinator_x))
    assert f'href="{reverse("referrals:accept", args=[referral_a.reference])}"' in page
    assert f'href="{reverse("referrals:decline", args=[referral_a.reference])}"' in page


def test_htmx_accepts_and_assigns_from_the_row_through_the_accept_service(
    as_user, coordinator_x, manager, referral_a
):
    client = as_user(manager)
    url = reverse("referrals:accept", args=[referral_a.reference]) + "?in=queue"
    form = client.get(url, **HTMX).content.decode()
    assert form.lstrip().startswith("<tr") and "<html" not in form
    assert coordinator_x.display_name in form
    done = client.post(url, {"assign_to": coordinator_x.pk}, **HTMX)
    assert done.status_code == 200
    assert "accept and assign – done" in done.content.decode()
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.ACCEPTED
    assert referral_a.assigned_to == coordinator_x
    assert AuditEvent.objects.filter(object_id=str(referral_a.pk), action="accept").exists()


def test_htmx_decline_without_a_reason_answers_the_row_with_the_field_error_and_changes_nothing(
    as_user, coordinator_x, referral_a
):
    url = reverse("referrals:decline", args=[referral_a.reference]) + "?in=queue"
    response = as_user(coordinator_x).post(url, {"reason": ""}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "nhsuk-error-message" in body
    assert Referral.objects.get(pk=referral_a.pk).status == ReferralStatus.RECEIVED


def test_htmx_decline_from_the_row_declines_through_the_decline_service(
    as_user, coordinator_x, referral_a
):
    url = reverse("referrals:decline", args=[referral_a.reference]) + "?in=queue"
    response = as_user(coordinator_x).post(url, {"reason": "out_of_area"}, **HTMX)
    assert 'data-testid="queue-row-done"' in response.content.decode()
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.DECLINED
    assert referral_a.decline_reason == "out_of_area"


def test_a_refused_change_from_the_row_is_said_in_the_row(as_user, coordinator_x, referral_a):
    client = as_user(coordinator_x)
    url = reverse("referrals:decline", args=[referral_a.reference]) + "?in=queue"
    client.post(url, {"reason": "out_of_area"}, **HTMX)
    again = client.post(url, {"reason": "out_of_area"}, **HTMX).content.decode()
    assert again.lstrip().startswith("<tr") and "nhsuk-error-message" in again


def test_the_filtered_queue_reads_a_fixed_number_of_queries_whatever_its_length(
    as_user, coordinator_x, make, django_assert_num_queries
):
    client = as_user(coordinator_x)
    make(urgency="urgent", risk_flag=True)
    params = {"urgency": "urgent", "risk": "flagged", "need_domain": "loneliness"}
    client.get(reverse("referrals:triage"), params)  # warm the session
    for _ in range(15):
        make(urgency="urgent", risk_flag=True, days=9)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("referrals:triage"), params)
    assert response.content.decode().count('data-testid="overdue"') == 15


# Session, user, memberships, the practice choices, the count, the page and the audit rows.
QUEUE_QUERIES = 10
