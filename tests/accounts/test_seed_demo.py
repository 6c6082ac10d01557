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
    assert Membership.objects.count() == len(USERS)
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


def test_seed_demo_runs_with_force_when_debug_is_off(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(email="coordinator@demo.example").exists()
