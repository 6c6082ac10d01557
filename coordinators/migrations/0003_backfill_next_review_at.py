from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each case's stored next review: its scheduled review's time (at most one per case)."""
    using = schema_editor.connection.alias  # `migrate --database=migration` writes as the owner
    Referral = apps.get_model("referrals", "Referral")
    Review = apps.get_model("coordinators", "Review")
    scheduled = (
        Review.objects.using(using)
        .filter(referral=OuterRef("pk"), status="scheduled")
        .order_by("scheduled_for")
    )
    Referral.objects.using(using).filter(reviews__status="scheduled").update(
        next_review_at=Subquery(scheduled.values("scheduled_for")[:1])
    )


def forget(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.using(schema_editor.connection.alias).update(next_review_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("coordinators", "0002_onward_referrals_linked_to_goals_and_plan"),
        ("referrals", "0006_next_review_on_the_case"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
