"""What reporting keeps of its own: the deprivation lookup and the monthly snapshots.

Every figure is computed from the apps' own tables by `reports.selectors`; nothing here is a
copy of casework except a snapshot, which is a frozen record of what was reported."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import Organisation


class DeprivationDecile(models.Model):
    """One LSOA's decile of the English Index of Multiple Deprivation (1 = most deprived)."""

    lsoa_code = models.CharField("LSOA code", max_length=9, primary_key=True)
    decile = models.PositiveSmallIntegerField()
    imd_edition = models.CharField(max_length=20, help_text="For example IMD 2019.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decile__gte=1, decile__lte=10), name="imd_decile_1_to_10"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lsoa_code}: decile {self.decile}"


class PostcodeLsoa(models.Model):
    """Which LSOA a postcode lies in (ONS postcode directory), keyed by the postcode with its
    spaces removed and in capitals, as `reports.deprivation.postcode_key` writes it."""

    postcode = models.CharField(max_length=8, primary_key=True)
    lsoa_code = models.CharField("LSOA code", max_length=9, db_index=True)

    def __str__(self) -> str:
        return f"{self.postcode} → {self.lsoa_code}"


class SnapshotIsImmutable(Exception):
    pass


class MonthlySnapshot(models.Model):
    """Last month's figures for one team, built once on the 1st and never changed: the page
    shows them as they were reported, with the code version and definitions used."""

    team = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month reported.")
    built_at = models.DateTimeField()
    code_version = models.CharField(max_length=64)
    definitions = models.JSONField()
    tables = models.JSONField(help_text="The report tables, unsuppressed counts.")

    class Meta:
        ordering = ["-month", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="snapshot_once_per_team_month")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%B %Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SnapshotIsImmutable("A monthly snapshot is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SnapshotIsImmutable("A monthly snapshot is never deleted.")


class ReferralDaySummary(models.Model):
    """Referrals received on one local day, counted per combination of what the report
    figures group and filter by: rebuilt by `reports.refresh_report_summaries`, so a page of a
    year's figures sums a few thousand rows instead of re-reading every referral, patient,
    goal and onward referral. Days from the last run's `summarised_before` on are counted live.
    The field names are those the live cohort is annotated with (`reports.selectors.cohort`),
    so one filter or grouping serves both."""

    day = models.DateField()
    team = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    referring_practice = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    urgency = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    outcome = models.CharField(max_length=30)
    decline_reason = models.CharField(max_length=30)
    accepted = models.BooleanField()
    contacted = models.BooleanField()
    has_goals = models.BooleanField()
    referred_on = models.BooleanField()
    attended = models.BooleanField()
    age_band = models.PositiveSmallIntegerField(null=True)
    sex = models.CharField(max_length=50)
    ethnic = models.CharField(max_length=30)
    decile = models.PositiveSmallIntegerField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "team"], name="referral_day_summary_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.n}"


class NeedDomainDaySummary(models.Model):
    """Referrals received on one local day giving a need domain among their reasons (a
    referral may give several, so this cannot be a column of `ReferralDaySummary`)."""

    day = models.DateField()
    team = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    referring_practice = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    need_domain = models.CharField(max_length=40)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "team"], name="need_domain_day_summary_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.need_domain}: {self.n}"


class ReferralMonthSummary(models.Model):
    """One figure's counts of the referrals received in one whole local month, per team and
    source (the filters a whole-service page keeps): a year of a figure is a few hundred rows
    instead of the day summary's near one per referral. Rebuilt with the day summaries, from
    them; a practice filter, and the days of a period's part months, read the day summaries.
    `figure` names a `reports.selectors.cohort.Counted`; `key` holds its group values and
    `counts` its measures, both in its order."""

    figure = models.CharField(max_length=40)
    month = models.DateField(help_text="The first day of the month.")
    team = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=30)
    key = models.JSONField(encoder=DjangoJSONEncoder)
    counts = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["figure", "month"], name="referral_month_summary_idx")]

    def __str__(self) -> str:
        return f"{self.figure} {self.month:%b %Y} {self.key}: {self.counts}"


class SummaryRun(models.Model):
    """One rebuild of the day summaries: they hold the days before `summarised_before`, as the
    referrals stood at `built_at`."""

    built_at = models.DateTimeField()
    summarised_before = models.DateField()
    seconds = models.FloatField()

    class Meta:
        get_latest_by = "built_at"

    def __str__(self) -> str:
        return f"Summaries before {self.summarised_before}, built {self.built_at:%Y-%m-%d %H:%M}"
