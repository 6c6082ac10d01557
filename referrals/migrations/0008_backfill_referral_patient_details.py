"""Give every existing referral its own copy of the patient's details.

Before this, a referral kept nothing of what the referrer said: the patient's record was
overwritten instead. What each referrer typed is lost, so the copy is made from the record, and
only what the referring practice can be taken to have supplied: the NHS number, names and date of
birth always (they typed those to refer); contact details and consents only where the patient is
registered with the referring practice. Nothing is marked as differing (resolution "same").
"""

from django.db import migrations

IDENTITY = ("given_name", "family_name", "date_of_birth")
CONTACT = (
    "sex_or_gender",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact_method",
    "interpreter_needed",
    "language",
    "accessible_formats",
    "consent_to_share",
    "consent_to_sms",
    "consent_to_email",
)


def backfill(apps, schema_editor):
    db = schema_editor.connection.alias
    Referral = apps.get_model("referrals", "Referral")
    Details = apps.get_model("referrals", "ReferralPatientDetails")
    rows = []
    missing = (
        Referral.objects.using(db).filter(patient_details__isnull=True).select_related("patient")
    )
    for referral in missing.iterator(chunk_size=1000):
        patient = referral.patient
        values = {name: getattr(patient, name) for name in IDENTITY}
        if patient.registered_practice_id == referral.referring_practice_id:
            values |= {name: getattr(patient, name) for name in CONTACT}
        rows.append(
            Details(
                referral_id=referral.pk,
                nhs_number=patient.nhs_number or "",
                consent_to_referral=True,
                resolution="same",
                **values,
            )
        )
        if len(rows) >= 1000:
            Details.objects.using(db).bulk_create(rows)
            rows = []
    Details.objects.using(db).bulk_create(rows)


def remove(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("referrals", "ReferralPatientDetails").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_referral_patient_details")]

    operations = [migrations.RunPython(backfill, remove)]
