"""Patient search ("is Mrs X with you?"): the selector, scoped to patients referred to the
user's teams, whatever became of the referral (closed, declined, anonymised).

One box takes a name (any order, small typos: trigram similarity on PostgreSQL, icontains on
SQLite), an NHS number with or without spaces, a referral reference, a date of birth or a
postcode; words of different kinds narrow each other ("smith 3/2/1950")."""

import dataclasses
import datetime
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Replace, Upper

from accounts.models import User

from .models import Patient, Referral
from .nhs_number import normalise
from .selectors import team_ids_of

_REFERENCE = re.compile(r"^SP-?[2-9A-HJ-NP-Z]{8}$", re.IGNORECASE)
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MAX_QUERY_LENGTH = 200
WORD_SIMILARITY_THRESHOLD = 0.5
# What a result shows. Only these are read: a common surname's every match is carried through
# the join, the count and the ranking, and the whole row made that a third slower.
RESULT_FIELDS = (
    "given_name",
    "family_name",
    "nhs_number",
    "date_of_birth",
    "postcode",
    "anonymised_at",
)
REFERRAL_FIELDS = ("patient_id", "reference", "status", "received_at", "anonymised_at")


@dataclasses.dataclass(frozen=True)
class PatientQuery:
    """What the search box said, sorted into the kinds of term the search understands."""

    name: str = ""
    nhs_number: str = ""
    reference: str = ""
    date_of_birth: datetime.date | None = None
    postcode: str = ""

    def __bool__(self) -> bool:
        return bool(
            self.name or self.nhs_number or self.reference or self.date_of_birth or self.postcode
        )


def parse_patient_query(text: str) -> PatientQuery:
    """Sort the words: a 10-digit run (spaces allowed) is an NHS number, SP-… a reference, a
    d/m/yyyy or yyyy-mm-dd date a date of birth, a UK postcode a postcode; the rest is a name."""
    text = text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    found: dict[str, Any] = {}
    digits = re.sub(r"[\s-]", "", text)
    if digits.isdigit() and len(digits) == 10:
        return PatientQuery(nhs_number=normalise(digits))
    if _POSTCODE.match(text):
        return PatientQuery(postcode=re.sub(r"\s", "", text).upper())
    words = []
    for word in text.split():
        if _REFERENCE.match(word):
            upper = word.upper().replace("-", "")
            found["reference"] = f"SP-{upper[2:]}"
        elif (day := _parse_date(word)) is not None:
            found["date_of_birth"] = day
        else:
            words.append(word)
    name = " ".join(words)
    # A postcode typed after a name: "smith ab1 2cd".
    if len(words) >= 2 and _POSTCODE.match(" ".join(words[-2:])):
        found["postcode"] = "".join(words[-2:]).upper()
        name = " ".join(words[:-2])
    return PatientQuery(name=name.lower(), **found)


def _parse_date(word: str) -> datetime.date | None:
    if match := _DATE.match(word):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.match(word):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def search_terms_digest(text: str) -> str:
    """What the audit trail keeps of a search: a keyed hash of the terms, never the terms. The
    same terms give the same digest, so an investigation holding a suspected search can check
    it; nobody reading the trail can read a name or an NHS number out of it."""
    normalised = " ".join(text.lower().split())
    return hmac.new(
        settings.AUDIT_HMAC_KEY.encode(), normalised.encode(), hashlib.sha256
    ).hexdigest()


def search_patients(user: User, query: PatientQuery) -> QuerySet[Patient]:
    """Patients referred to the user's teams matching the query, best match first, each with
    their referrals to those teams (newest first) as `team_referrals`, with RESULT_FIELDS
    only. A superuser with no team searches every referred patient."""
    teams = team_ids_of(user)
    if not query or not (teams or user.is_superuser):
        return Patient.objects.none()
    referrals_to_team = (
        Referral.objects.filter(team_id__in=teams) if teams else Referral.objects.all()
    )
    patients = Patient.objects.filter(
        Exists(referrals_to_team.filter(patient_id=OuterRef("pk")).order_by())
    )
    if query.nhs_number:
        patients = patients.filter(nhs_number=query.nhs_number)
    if query.reference:
        patients = patients.filter(
            Exists(referrals_to_team.filter(patient_id=OuterRef("pk"), reference=query.reference))
        )
    if query.date_of_birth:
        patients = patients.filter(date_of_birth=query.date_of_birth)
    if query.postcode:
        patients = patients.alias(
            postcode_key=Replace(Upper("postcode"), Value(" "), Value(""))
        ).filter(postcode_key=query.postcode)
    ordering = ["family_name", "given_name", "pk"]
    if query.name:
        if connection.vendor == "postgresql":
            # Every word must be close to a word of the name (word similarity, pg_trgm's `%>`,
            # through the GIN index): "margret thistlewod" finds Margaret Thistlewood, not every
            # Margaret. The threshold (pg_trgm's default 0.6 misses "margret") is set on this
            # connection; nothing else uses the operator. Best overall similarity first.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET pg_trgm.word_similarity_threshold = %s", [WORD_SIMILARITY_THRESHOLD]
                )
            for word in query.name.split():
                patients = patients.filter(search_name__trigram_word_similar=word)
            patients = patients.annotate(similarity=TrigramSimilarity("search_name", query.name))
            ordering = ["-similarity", *ordering]
        else:
            for word in query.name.split():
                patients = patients.filter(search_name__icontains=word)
    return (
        patients.only(*RESULT_FIELDS)
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=referrals_to_team.only(*REFERRAL_FIELDS).order_by("-received_at", "-id"),
                to_attr="team_referrals",
            )
        )
        .order_by(*ordering)
    )
