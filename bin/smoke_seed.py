"""The production smoke test's backlog: N invented referrals received two weeks ago and never
triaged, so the referral-waiting sweep has a few hundred reminders to send while a worker is
killed. `python bin/smoke_seed.py N`, with the smoke test's production environment."""

import datetime
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import Organisation, User  # noqa: E402
from referrals import services  # noqa: E402
from referrals.models import ContactMethod, Referral, Urgency  # noqa: E402
from referrals.nhs_number import synthetic_numbers  # noqa: E402


def main(count: int) -> None:
    practice = Organisation.objects.get(name="Riverside Medical Practice", kind="gp_practice")
    referrer = User.objects.get(email="referrer@demo.example")
    references = []
    for index, nhs_number in enumerate(synthetic_numbers(999_700_000)):
        if index == count:
            break
        received = services.receive_referral(
            referred_by=referrer,
            practice=practice,
            patient={
                "nhs_number": nhs_number,
                "given_name": "Backlog",
                "family_name": f"Person{index}",
                "date_of_birth": datetime.date(1950, 1 + index % 12, 1 + index % 28),
                "preferred_contact_method": ContactMethod.PHONE,
                "consent_to_referral": True,
            },
            referral={
                "reasons": ["loneliness"],
                "help_wanted": "Would like to meet people nearby.",
                "urgency": Urgency.ROUTINE,
            },
        )
        references.append(received.referral.pk)
    Referral.objects.filter(pk__in=references).update(
        received_at=timezone.now() - datetime.timedelta(days=14)
    )
    print(f"smoke backlog: {len(references)} referrals waiting for triage")


if __name__ == "__main__":
    main(int(sys.argv[1]))
