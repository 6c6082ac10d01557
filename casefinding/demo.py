"""Demo case-finding: Riverside's practice lead uploads a list of eight invented people at
risk, the job imports it, and the Northfield team has worked some of them (accepted, declined,
no response, being contacted), so the worklist and the uptake report have something to show.
Safe to run again."""

import itertools

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from referrals.nhs_number import synthetic_numbers

from . import services
from .models import CaseFindingUpload, OutreachEntry

LEAD = "referrer@demo.example"
COORDINATOR = "coordinator@demo.example"
PRACTICE = "Riverside Medical Practice"
FILE_NAME = "riverside-frailty-list-demo.csv"
HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,sex,postcode,phone,efi_category,"
    "long_term_conditions,admissions_last_12_months,reason,ethnic_category"
)
PEOPLE = [
    ("Aneurin", "Brightwell", "1936-03-14", "Male", "severe", 6, 3, "A"),
    ("Blodwen", "Carrow", "1939-11-02", "Female", "severe", 5, 2, "A"),
    ("Cadoc", "Dunstan", "1942-07-21", "Male", "moderate", 4, 1, "H"),
    ("Delyth", "Ellery", "1944-01-30", "Female", "moderate", 4, 0, "N"),
    ("Elfed", "Farrant", "1947-05-09", "Male", "moderate", 3, 1, "B"),
    ("Glenys", "Harcourt", "1949-09-17", "Female", "mild", 3, 0, "Z"),
    ("Huw", "Ivers", "1951-12-05", "Male", "mild", 2, 0, "A"),
    ("Ifanwy", "Jessop", "1953-04-26", "Female", "mild", 2, 1, ""),
]


def _list_text() -> str:
    numbers = itertools.islice(synthetic_numbers(999_200_000), len(PEOPLE))
    lines = [
        f"{number},{given},{family},{born},{sex},LS6 2AB,07700 900{100 + i},{efi},{ltc},"
        f"{admissions},Frailty and lives alone,{ethnic}"
        for i, (number, (given, family, born, sex, efi, ltc, admissions, ethnic)) in enumerate(
            zip(numbers, PEOPLE, strict=True)
        )
    ]
    return "\n".join([HEADER, *lines]) + "\n"


@transaction.atomic
def seed(log) -> None:
    practice = Organisation.objects.get(name=PRACTICE, kind="gp_practice")
    if CaseFindingUpload.objects.filter(practice=practice, file_name=FILE_NAME).exists():
        log("demo case-finding list already present")
        return
    lead = User.objects.get(email=LEAD)
    coordinator = User.objects.get(email=COORDINATOR)
    upload = services.confirm_upload(
        by=lead, practice=practice, file_name=FILE_NAME, text=_list_text()
    )
    services.import_upload(upload_id=upload.pk)  # the job, run here (a worker finds it done)
    entries = list(OutreachEntry.objects.filter(upload=upload).order_by("id"))
    today = timezone.localdate()

    def attempt(entry: OutreachEntry, outcome: str) -> None:
        """Today: an attempt cannot be dated before the list arrived."""
        services.record_outreach_attempt(
            entry=entry,
            by=coordinator,
            attempted_on=today,
            method="phone",
            outcome=outcome,
        )

    accepted, declined, unanswered, in_hand = entries[:4]
    services.take_outreach(entry=accepted, by=coordinator)
    attempt(accepted, "no_answer")
    attempt(accepted, "spoke")
    services.accept_outreach(
        entry=accepted,
        by=coordinator,
        reasons=["loneliness", "physical_activity"],
        help_wanted="Would like company and a gentle walking group.",
    )
    services.take_outreach(entry=declined, by=coordinator)
    attempt(declined, "spoke")
    services.decline_outreach(entry=declined, by=coordinator, declined_on=today)
    services.take_outreach(entry=unanswered, by=coordinator)
    for _ in range(settings.OUTREACH_MAX_ATTEMPTS):
        attempt(unanswered, "no_answer")
    services.end_outreach_no_response(entry=unanswered, by=coordinator)
    services.take_outreach(entry=in_hand, by=coordinator)
    attempt(in_hand, "message_left")
    log(
        f"{len(entries)} people on {PRACTICE}'s list: one accepted, one declined, one no "
        "response, one being contacted, the rest waiting"
    )
