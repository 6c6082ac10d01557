import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.demo import DEMO_PASSWORD, USERS
from accounts.mfa import has_totp
from accounts.models import Membership, Organisation, OrganisationKind, User


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent_and_every_login_works(db, settings, capsys, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    counts = {kind: Organisation.objects.filter(kind=kind).count() for kind in OrganisationKind}
    assert counts == {
        "gp_practice": 2,
        "coordinator_team": 1,
        "service_provider": 3,
        "directory_team": 1,
        "local_authority": 1,
        "commissioner": 1,
    }
    # People only: each demo FHIR client also has a system user with a membership.
    assert Membership.objects.filter(user__fhir_client__isnull=True).count() == len(USERS)
    output = capsys.readouterr().out
    for email, *_ in USERS:
        assert email in output
        assert client.login(email=email, password=DEMO_PASSWORD)
    assert "  Commissioner commissioner@demo.example" in output
    assert User.objects.get(email="admin@demo.example").is_superuser
    staff = [
        "coordinator@demo.example",
        "manager@demo.example",
        "vetter@demo.example",
        "admin@demo.example",
    ]
    assert all(has_totp(user) for user in User.objects.filter(email__in=staff))
    assert not has_totp(User.objects.get(email="referrer@demo.example"))
    assert "referrer@demo.example" in output and "Referrer (practice lead)" in output
    lead = Membership.objects.get(user__email="referrer@demo.example")
    assert lead.is_practice_lead
    assert "Council referrer" in output


def test_seed_demo_prints_a_working_fhir_client_for_each_practice_team_and_provider(
    db, settings, capsys, client
):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    lines = [
        line.strip()
        for line in capsys.readouterr().out.splitlines()
        if line.strip().startswith("FHIR client for ")
    ]
    latest = lines[len(lines) // 2 :]
    organisations = [line.split(":")[0].removeprefix("FHIR client for ") for line in latest]
    assert organisations == [
        "Northfield Social Prescribing Team",
        "Hillview Surgery",
        "Riverside Medical Practice",
        "Friendship Circle Trust",
    ]
    for line in latest:
        client_id, secret = (
            line.split("client id ")[1].split(", secret ")[0],
            line.split(", secret ")[1],
        )
        response = client.post(
            "/fhir/auth/token",
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        assert response.status_code == 200, line


def test_seed_demo_runs_with_force_when_debug_is_off(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(email="coordinator@demo.example").exists()
