"""The self-referral page, its protections, and identity checked at first
contact (the only point a self-referral is matched to a known patient)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals import services
from referrals.errors import IdentityNotChecked
from referrals.models import Patient, Referral
from tests.conftest import _member
from tests.factories import OrganisationFactory
from tests.referrals.factories import PatientFactory
from tests.referrals.test_pages import as_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres
URL = reverse("referrals:self-referral")
_STARTED = re.compile(r'name="started" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.SELF_REFERRAL_MIN_FILL_SECONDS = 0


def _answers(client, chosen, **overrides) -> dict:
    started = _STARTED.search(client.get(URL).content.decode()).group(1)  # type: ignore[union-attr]
    return {
        "started": started,
        "source": "self",
        "given_name": "Dilys",
        "family_name": "Pryce",
        "date_of_birth_day": "2",
        "date_of_birth_month": "9",
        "date_of_birth_year": "1944",
        "practice": str(chosen.pk),
        "postcode": "CF10 1AA",
        "phone": "07700 900777",
        "preferred_contact_method": "phone",
        "reasons": ["loneliness"],
        "help_wanted": "Since my husband died I hardly see anyone.",
        "consent_to_referral": "on",
        **overrides,
    }


def test_the_public_send_a_self_referral_and_get_a_reference_and_next_steps(
    client, practice_a, team_x
):
    response = client.post(URL, _answers(client, practice_a), follow=True)
    referral = Referral.objects.get()
    page = response.content.decode()
    assert referral.reference in page and "What happens next" in page
    assert (referral.source, referral.identity_checked, referral.team) == ("self", False, team_x)
    assert referral.patient.nhs_number is None
    assert referral.referred_by.is_active is False


def test_a_self_referral_arrives_in_triage_marked_identity_not_yet_checked(
    as_user,  # noqa: F811
    client,
    practice_a,
    coordinator_x,
):
    client.post(URL, _answers(client, practice_a))
    page = as_user(coordinator_x).get(reverse("referrals:triage")).content.decode()
    assert "Self-referral" in page and 'data-testid="identity-unchecked"' in page


def test_a_carer_must_give_their_name(client, practice_a):
    response = client.post(URL, _answers(client, practice_a, source="family_or_carer"))
    assert "Give your name" in response.content.decode()
    assert not Referral.objects.exists()
    client.post(
        URL,
        _answers(
            client,
            practice_a,
            source="family_or_carer",
            referrer_name="Gwen Pryce",
            referrer_relationship="daughter",
        ),
    )
    referral = Referral.objects.get()
    assert (referral.source, referral.referrer_name) == ("family_or_carer", "Gwen Pryce")


def test_an_unknown_practice_gets_a_clear_message(client, practice_a):
    response = client.post(URL, _answers(client, practice_a, practice="not-listed"))
    assert "ask your GP practice about social prescribing" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_practice_no_team_covers_is_not_offered(client, practice_a):
    uncovered = OrganisationFactory(name="Uncovered Surgery", kind="gp_practice")
    assert "Uncovered Surgery" not in client.get(URL).content.decode()
    response = client.post(URL, _answers(client, practice_a, practice=str(uncovered.pk)))
    assert response.status_code == 200 and not Referral.objects.exists()


def test_without_consent_nothing_is_saved(client, practice_a):
    answers = _answers(client, practice_a)
    del answers["consent_to_referral"]
    response = client.post(URL, answers)
    assert "must agree to be referred" in response.content.decode()
    assert not (Referral.objects.exists() or Patient.objects.exists())


def test_a_filled_honeypot_is_refused_and_nothing_saved(client, practice_a):
    response = client.post(URL, _answers(client, practice_a, website="http://spam.example"))
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_a_form_sent_faster_than_a_person_could_is_refused(client, practice_a, settings):
    settings.SELF_REFERRAL_MIN_FILL_SECONDS = 60
    response = client.post(URL, _answers(client, practice_a))
    assert "sent too quickly" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_made_up_start_time_is_refused(client, practice_a):
    response = client.post(URL, _answers(client, practice_a, started="1700000000:forged"))
    assert "could not accept this form" in response.content.decode()
    assert not Referral.objects.exists()


def test_one_address_is_limited_to_so_many_sends(client, practice_a, settings):
    settings.SELF_REFERRAL_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(URL, _answers(client, practice_a)).status_code == 302
    refused = client.post(URL, _answers(client, practice_a))
    assert refused.status_code == 429
    assert Referral.objects.count() == 2
    # Another address is not held back by the first one's sends.
    other = client.post(URL, _answers(client, practice_a), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_an_oversized_body_is_refused(client, practice_a, settings):
    settings.SELF_REFERRAL_MAX_BODY_BYTES = 2000
    response = client.post(URL, _answers(client, practice_a, help_wanted="x" * 3000))
    assert response.status_code == 413
    assert not Referral.objects.exists()


def test_a_community_organisation_worker_refers_signed_in_as_their_organisation(
    as_user,  # noqa: F811
    provider,
    practice_a,
):
    client = as_user(provider)
    answers = _answers(client, practice_a)
    del answers["source"]
    assert client.post(URL, answers).status_code == 302
    referral = Referral.objects.get()
    assert (referral.source, referral.referred_by, referral.referrer_name) == (
        "community_organisation",
        provider,
        provider.display_name,
    )


def test_council_staff_refer_signed_in_as_the_local_authority(as_user, practice_a):  # noqa: F811
    council = OrganisationFactory(name="Cardiff Council", kind="local_authority")
    worker = _member("council@test.example", council, "council_referrer", first_name="Cerys")
    client = as_user(worker)
    answers = _answers(client, practice_a)
    del answers["source"]
    client.post(URL, answers)
    assert Referral.objects.get().source == "local_authority"


def test_practice_and_team_users_refer_through_their_own_pages(
    as_user,  # noqa: F811
    referrer_a,
    coordinator_x,
):
    assert as_user(referrer_a).get(URL).status_code == 403
    assert as_user(coordinator_x).get(URL).status_code == 403


# --- Identity, checked by the coordinator at first contact


def _self_referral(practice, **person):
    return services.receive_self_referral(
        practice=practice,
        person={
            "given_name": "Dilys",
            "family_name": "Pryce",
            "date_of_birth": timezone.datetime(1944, 9, 2).date(),
            "phone": "07700 900777",
            "consent_to_referral": True,
            **person,
        },
        referral={"source": "self", "reasons": ["loneliness"], "help_wanted": "Company."},
    )


def test_a_known_nhs_number_on_the_form_matches_nobody_until_identity_is_confirmed(practice_a):
    known = PatientFactory(registered_practice=practice_a, given_name="Real")
    referral = _self_referral(practice_a, nhs_number=known.nhs_number)
    assert referral.patient_id != known.pk
    assert referral.patient_details.nhs_number == known.nhs_number
    known.refresh_from_db()
    assert known.given_name == "Real"


def test_confirming_identity_with_a_known_nhs_number_moves_the_referral_to_that_patient(
    practice_a, coordinator_x
):
    known = PatientFactory(registered_practice=practice_a, given_name="Real", phone="0")
    referral = _self_referral(practice_a, nhs_number=known.nhs_number)
    form_record = referral.patient_id
    services.confirm_identity(referral=referral, by=coordinator_x, nhs_number=known.nhs_number)
    referral.refresh_from_db()
    known.refresh_from_db()
    assert (referral.patient_id, referral.identity_checked) == (known.pk, True)
    assert known.given_name == "Real" and known.phone == "0"  # never overwritten
    assert not Patient.objects.filter(pk=form_record).exists()
    assert referral.patient_details.resolution == ""  # the team compares, as for a practice's
    assert AuditEvent.objects.filter(action="identity_checked", object_id=str(referral.pk))


def test_confirming_identity_of_a_new_person_keeps_the_record_made_from_the_form(
    practice_a, coordinator_x
):
    referral = _self_referral(practice_a)
    services.confirm_identity(referral=referral, by=coordinator_x, nhs_number="999 000 0026")
    referral.refresh_from_db()
    assert (referral.patient.nhs_number, referral.identity_checked_by) == (
        "9990000026",
        coordinator_x,
    )


def test_first_contact_waits_for_identity_to_be_confirmed(practice_a, coordinator_x):
    referral = _self_referral(practice_a)
    services.accept_referral(referral=referral, by=coordinator_x)
    with pytest.raises(IdentityNotChecked):
        services.record_first_contact(
            referral=referral, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
        )
    services.confirm_identity(referral=referral, by=coordinator_x)
    services.record_first_contact(
        referral=referral, by=coordinator_x, contacted_on=timezone.localdate(), method="phone"
    )


def test_another_team_cannot_confirm_identity(practice_a, coordinator_y):
    from referrals.errors import NotInReceivingTeam

    referral = _self_referral(practice_a)
    with pytest.raises(NotInReceivingTeam):
        services.confirm_identity(referral=referral, by=coordinator_y)


def test_accepting_a_public_self_referral_tells_no_account(practice_a, coordinator_x):
    from accounts.models import Notification

    referral = _self_referral(practice_a)
    services.accept_referral(referral=referral, by=coordinator_x)
    assert not Notification.objects.filter(recipient=referral.referred_by).exists()
