"""The manager's audit page (issue 19 item 16): found by what people know (an NHS number, a
referral reference), actions and record types from lists, a date range; jobs read "system"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.request_context import RequestContext, reset_request_context, set_request_context
from accounts.services import record_audit_event
from tests.referrals.factories import ReferralFactory


@pytest.fixture
def our_referral(practice_a, referrer_a, team_x):
    return ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)


def _look_at(actor, referral, detail):
    return record_audit_event(
        actor=actor,
        action="view",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        detail=detail,
    )


def _page(client, **params) -> str:
    response = client.get(reverse("accounts:audit-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_finds_a_patients_events_by_nhs_number_typed_with_spaces(
    client, manager, coordinator_x, our_referral, practice_a, referrer_a, team_x
):
    other = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    _look_at(coordinator_x, our_referral, "looked at ours")
    _look_at(coordinator_x, other, "looked at another")
    client.force_login(manager)
    nhs = our_referral.patient.nhs_number

    page = _page(client, patient=f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}")

    assert "looked at ours" in page
    assert "looked at another" not in page
    assert f"/audit/export/?patient_id={our_referral.patient_id}" in page


def test_a_manager_finds_a_patients_events_by_referral_reference(
    client, manager, coordinator_x, our_referral
):
    _look_at(coordinator_x, our_referral, "looked at ours")
    client.force_login(manager)

    page = _page(client, patient=our_referral.reference.lower())

    assert "looked at ours" in page


def test_an_unknown_nhs_number_or_reference_is_an_error_next_to_its_field(
    client, manager, coordinator_x, our_referral
):
    _look_at(coordinator_x, our_referral, "looked at ours")
    client.force_login(manager)

    page = _page(client, patient="SP-NOSUCH22")

    assert "No patient has this NHS number or referral reference." in page
    assert 'href="#id_patient"' in page
    assert "looked at ours" not in page


def test_actions_and_record_types_are_chosen_from_lists_of_what_the_trail_holds(
    client, manager, coordinator_x, our_referral
):
    _look_at(coordinator_x, our_referral, "a view")
    record_audit_event(
        actor=coordinator_x, action="export", object_type="report", detail="an export"
    )
    client.force_login(manager)

    page = _page(client, action="export")

    assert '<option value="export" selected>Export</option>' in page
    assert '<option value="view">View</option>' in page
    assert '<option value="referral">Referral</option>' in page
    assert "an export" in page and "a view" not in page


def test_an_action_not_in_the_list_is_an_error_not_a_crash(client, manager):
    client.force_login(manager)

    page = _page(client, action="drop_table")

    assert "from the options shown" in page


def test_the_date_range_keeps_only_the_days_between_from_and_to(
    client, manager, coordinator_x, our_referral
):
    _look_at(coordinator_x, our_referral, "looked today")
    client.force_login(manager)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    assert "looked today" in _page(client, occurred_from=yesterday, occurred_to=today)
    assert "looked today" not in _page(client, occurred_to=yesterday)
    assert "looked today" not in _page(client, occurred_from=today + datetime.timedelta(days=1))
    page = _page(client, occurred_from=today.isoformat(), occurred_to="2020-01-01")
    assert "The &#x27;To&#x27; date must be the same as or after &#x27;From&#x27;." in page


def test_a_system_job_reads_system_and_a_visitor_without_a_login_anonymous(client, superuser):
    record_audit_event(actor=None, action="sweep", object_type="referral", detail="the night job")
    token = set_request_context(RequestContext(request_id="req-1", ip_address="10.1.2.3"))
    try:
        record_audit_event(actor=None, action="open_link", object_type="link", detail="a visitor")
    finally:
        reset_request_context(token)
    client.force_login(superuser)  # events of no team and no member: a superuser's to see

    page = _page(client)

    def row_of(detail: str) -> str:
        end = page.index(detail)
        return page[page.rindex("<tr", 0, end) : end]

    system_row, visitor_row = row_of("the night job"), row_of("a visitor")
    assert ">system<" in system_row
    assert ">anonymous<" in visitor_row


def test_the_audit_page_query_count_is_the_same_with_every_filter_used(
    client, manager, coordinator_x, our_referral, django_assert_num_queries
):
    _look_at(coordinator_x, our_referral, "looked")
    client.force_login(manager)
    params = {
        "patient": our_referral.patient.nhs_number,
        "action": "view",
        "object_type": "referral",
        "occurred_from": timezone.localdate().isoformat(),
    }
    _page(client, **params)
    for _ in range(5):
        _look_at(coordinator_x, our_referral, "looked")

    # 12: the 11 of the unfiltered page and the NHS number's lookup.
    with django_assert_num_queries(12):
        _page(client, **params)
