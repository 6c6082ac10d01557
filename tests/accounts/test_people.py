"""The people page (issue 19 item 13): managers (their teams) and superusers invite people by
email (a one-time link to choose a password; two-factor set-up follows at first sign-in), give
and remove roles, deactivate accounts, with an audit row for each."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Reminder, User
from accounts.services import deliver_reminder

pytestmark = pytest.mark.django_db


def _invite(client, team, **overrides):
    data = {
        "email": "new.coordinator@test.example",
        "first_name": "Nia",
        "last_name": "Newcomer",
        "organisation": team.pk,
        "role": "coordinator",
        **overrides,
    }
    return client.post(reverse("accounts:person-invite"), data)


def test_a_manager_invites_a_coordinator_who_is_emailed_a_one_time_link(
    client, manager, team_x, password
):
    client.force_login(manager)

    response = _invite(client, team_x)

    assert response.status_code == 302
    invited = User.objects.get(email="new.coordinator@test.example")
    assert not invited.has_usable_password()
    assert Membership.objects.filter(user=invited, organisation=team_x, role="coordinator")
    assert AuditEvent.objects.filter(action="invite", actor=manager, object_id=str(invited.pk))
    reminder = Reminder.objects.get(kind="user_invitation")
    assert reminder.channel == "email"
    deliver_reminder(reminder_id=reminder.pk)
    (message,) = mail.outbox
    assert message.to == ["new.coordinator@test.example"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.logout()
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else "/" + path
    client.post(form_url, {"password1": password, "password2": password})
    invited.refresh_from_db()
    assert invited.has_usable_password()
    again = client.get("/" + path, follow=True)
    assert "password1" not in again.content.decode()  # the link worked once


def test_an_email_that_already_has_an_account_is_an_error_next_to_the_email_field(
    client, manager, team_x, coordinator_x
):
    client.force_login(manager)

    response = _invite(client, team_x, email=coordinator_x.email.upper())

    page = response.content.decode()
    assert response.status_code == 200
    assert "already has an account" in page and 'href="#id_email"' in page


def test_a_manager_cannot_give_a_role_outside_their_teams(client, manager, team_y):
    client.force_login(manager)

    response = _invite(client, team_y)

    assert response.status_code == 200
    assert "from the options shown" in response.content.decode()
    assert not User.objects.filter(email="new.coordinator@test.example").exists()


def test_a_superuser_adds_a_second_vetter_without_the_django_admin(
    client, superuser, vetter, directory_team, coordinator_x
):
    client.force_login(superuser)

    response = client.post(
        reverse("accounts:person", args=[coordinator_x.pk]),
        {"organisation": directory_team.pk, "role": "vetter"},
    )

    assert response.status_code == 302
    assert coordinator_x.memberships.filter(role="vetter", organisation=directory_team).exists()
    assert AuditEvent.objects.get(action="give_role").detail == "Vetter at Directory Team"


def test_a_manager_removes_a_role_and_deactivates_a_member_each_audited(
    client, manager, coordinator_x, team_x
):
    client.force_login(manager)
    membership = coordinator_x.memberships.get()

    client.post(reverse("accounts:person-remove-role", args=[coordinator_x.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # With no team left the person is out of the manager's scope: give the role back first.
    Membership.objects.create(user=coordinator_x, organisation=team_x, role="coordinator")
    client.post(reverse("accounts:person-deactivate", args=[coordinator_x.pk]))

    coordinator_x.refresh_from_db()
    assert not coordinator_x.is_active
    actions = set(AuditEvent.objects.filter(actor=manager).values_list("action", flat=True))
    assert {"remove_role", "deactivate"} <= actions


def test_a_manager_cannot_deactivate_someone_who_also_holds_a_role_elsewhere(
    client, manager, coordinator_x, directory_team
):
    Membership.objects.create(user=coordinator_x, organisation=directory_team, role="vetter")
    client.force_login(manager)

    page = client.get(reverse("accounts:person", args=[coordinator_x.pk])).content.decode()
    client.post(reverse("accounts:person-deactivate", args=[coordinator_x.pk]))

    assert "Deactivate" not in page
    coordinator_x.refresh_from_db()
    assert coordinator_x.is_active


def test_a_manager_cannot_remove_their_own_manager_role(client, manager):
    client.force_login(manager)
    own = manager.memberships.get(role="manager")

    response = client.post(
        reverse("accounts:person-remove-role", args=[manager.pk, own.pk]), follow=True
    )

    assert "cannot remove your own manager role" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_another_teams_member_is_a_404_for_a_manager(client, manager, coordinator_y):
    client.force_login(manager)

    assert client.get(reverse("accounts:person", args=[coordinator_y.pk])).status_code == 404


def test_the_people_list_shows_the_teams_members_in_a_fixed_number_of_queries(
    client, manager, team_x, coordinator_x, django_assert_num_queries
):
    from tests.factories import UserFactory

    client.force_login(manager)
    url = reverse("accounts:people")
    client.get(url)
    with django_assert_num_queries(9) as one:
        page = client.get(url).content.decode()
    for n in range(4):
        Membership.objects.create(
            user=UserFactory(email=f"member{n}@test.example"),
            organisation=team_x,
            role="coordinator",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
    assert coordinator_x.email in page
