import time

import pytest
from allauth.usersessions.models import UserSession
from django.urls import reverse

from accounts.middleware import SESSION_ACTIVITY_KEY, SESSION_STARTED_KEY
from accounts.models import AuditEvent
from accounts.services import deactivate_user
from tests.factories import log_in_through_the_form


def _log_in(client, user, password):
    response = log_in_through_the_form(client, user, password)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    return response


def _age_session(client, *, started_ago: float = 0, idle_for: float = 0):
    session = client.session
    now = time.time()
    session[SESSION_STARTED_KEY] = now - started_ago
    session[SESSION_ACTIVITY_KEY] = now - idle_for
    session.save()


def test_login_gives_a_new_session_key(client, coordinator_x, password):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    _log_in(client, coordinator_x, password)
    assert client.session.session_key != before


def test_an_idle_session_is_logged_off(client, coordinator_x, password, settings):
    _log_in(client, coordinator_x, password)
    _age_session(client, idle_for=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
    response = client.get(reverse("coordinators:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "had not done anything for a while" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="session_expired", actor=coordinator_x).exists()


def test_activity_keeps_the_session_alive(client, coordinator_x, password, settings):
    _log_in(client, coordinator_x, password)
    _age_session(client, idle_for=settings.SESSION_IDLE_TIMEOUT_SECONDS - 90)
    assert client.get(reverse("coordinators:home")).status_code == 200
    assert time.time() - client.session[SESSION_ACTIVITY_KEY] < 5


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(
    client, coordinator_x, password, settings
):
    _log_in(client, coordinator_x, password)
    _age_session(client, started_ago=settings.SESSION_ABSOLUTE_LIFETIME_SECONDS + 5)
    response = client.get(reverse("coordinators:home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_expired_api_session_gets_401_json(client, coordinator_x, password, settings):
    _log_in(client, coordinator_x, password)
    _age_session(client, idle_for=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


def test_stay_logged_in_counts_as_activity(client, coordinator_x, password, settings):
    _log_in(client, coordinator_x, password)
    _age_session(client, idle_for=settings.SESSION_IDLE_TIMEOUT_SECONDS - 30)
    response = client.post(reverse("accounts:session-keepalive"), HTTP_ACCEPT="application/json")
    assert response.status_code == 204
    assert time.time() - client.session[SESSION_ACTIVITY_KEY] < 5


def test_pages_carry_the_idle_warning_settings(client, coordinator_x, password, settings):
    _log_in(client, coordinator_x, password)
    page = client.get(reverse("coordinators:home")).content.decode()
    assert f'data-session-idle-timeout="{settings.SESSION_IDLE_TIMEOUT_SECONDS}"' in page
    assert 'id="session-timeout-warning"' in page


def test_deactivating_a_user_ends_their_sessions(
    client, coordinator_x, password, superuser, django_capture_on_commit_callbacks
):
    _log_in(client, coordinator_x, password)
    assert UserSession.objects.filter(user=coordinator_x).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_user(user=coordinator_x, by=superuser)
    assert UserSession.objects.filter(user=coordinator_x).count() == 0
    assert client.get(reverse("coordinators:home")).status_code == 302
    assert AuditEvent.objects.filter(action="deactivate", object_id=str(coordinator_x.pk)).exists()


def test_manager_ends_a_team_members_sessions(client, coordinator_x, manager, password):
    from django.test import Client

    member_client = Client()
    _log_in(member_client, coordinator_x, password)
    _log_in(client, manager, password)
    response = client.post(reverse("accounts:end-sessions", args=[coordinator_x.pk]))
    assert response.status_code == 302
    assert member_client.get(reverse("coordinators:home")).status_code == 302
    assert AuditEvent.objects.filter(action="sessions_ended", actor=manager).exists()


def test_manager_cannot_end_sessions_outside_their_team(client, coordinator_y, manager, password):
    _log_in(client, manager, password)
    response = client.post(reverse("accounts:end-sessions", args=[coordinator_y.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "referrer"])
def test_other_roles_cannot_end_sessions(client, cast, role, password):
    _log_in(client, cast[role], password)
    response = client.post(reverse("accounts:end-sessions", args=[cast["manager"].pk]))
    assert response.status_code == 403


def test_team_members_page_lists_the_team_with_constant_queries(
    client, manager, coordinator_x, coordinator_y, password, django_assert_num_queries
):
    _log_in(client, manager, password)
    with django_assert_num_queries(5):
        page = client.get(reverse("accounts:team-members")).content.decode()
    assert coordinator_x.email in page
    assert coordinator_y.email not in page
