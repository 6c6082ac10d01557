import datetime

import factory
from django.utils import timezone

from referrals.models import (
    DETAILS_FIELDS,
    Patient,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ReferralStatus,
    TeamCoverage,
)
from referrals.nhs_number import synthetic_numbers
from tests.factories import OrganisationFactory, UserFactory

_numbers = synthetic_numbers(999_500_000)


def next_nhs_number() -> str:
    return next(_numbers)


class TeamCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamCoverage
        django_get_or_create = ("practice",)

    practice = factory.SubFactory(OrganisationFactory, kind="gp_practice")
    team = factory.SubFactory(OrganisationFactory, kind="coordinator_team")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    nhs_number = factory.LazyFunction(next_nhs_number)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1958, 4, 12)
    phone = "07700 900123"
    registered_practice = factory.SubFactory(OrganisationFactory, kind="gp_practice")
    consent_to_referral = True


class ReferralFactory(factory.django.DjangoModelFactory):
    """A received referral, as the intake service leaves it (with its first event)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    patient = factory.SubFactory(
        PatientFactory, registered_practice=factory.SelfAttribute("..referring_practice")
    )
    referring_practice = factory.SubFactory(OrganisationFactory, kind="gp_practice")
    referred_by = factory.SubFactory(UserFactory)
    team = factory.SubFactory(OrganisationFactory, kind="coordinator_team")
    reasons = ["loneliness"]
    help_wanted = "Would like to meet people."
    received_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def received_event(self, create, extracted, **kwargs):
        if create:
            ReferralEvent.objects.create(
                referral=self,
                actor=self.referred_by,
                occurred_at=self.received_at,
                to_status=ReferralStatus.RECEIVED,
            )

    @factory.post_generation
    def patient_details(self, create, extracted, **kwargs):
        """What the referrer said: by default the patient's record as it stands."""
        if create:
            patient = self.patient
            ReferralPatientDetails.objects.create(
                referral=self,
                nhs_number=patient.nhs_number or "",
                consent_to_referral=True,
                resolution=ReferralPatientDetails.Resolution.NONE_NEEDED,
                **{name: getattr(patient, name) for name in DETAILS_FIELDS},
                **kwargs,
            )
