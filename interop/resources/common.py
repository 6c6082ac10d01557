"""Small pieces every resource mapping shares: instants, references, meta."""

import datetime

from django.utils import timezone

from accounts.models import Organisation

from ..codes import ODS_CODE_SYSTEM


def instant(value: datetime.datetime) -> str:
    return (
        timezone.localtime(value, datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def meta(last_updated: datetime.datetime, *profiles: str) -> dict:
    return {
        "lastUpdated": instant(last_updated),
        **({"profile": list(profiles)} if profiles else {}),
    }


def organisation_reference(organisation: Organisation) -> dict:
    reference: dict = {
        "reference": f"Organization/{organisation.public_id}",
        "display": organisation.name,
    }
    if organisation.ods_code:
        reference["identifier"] = {"system": ODS_CODE_SYSTEM, "value": organisation.ods_code}
    return reference
