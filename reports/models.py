"""What reporting keeps of its own: the deprivation lookup and the monthly snapshots.

Every figure is computed from the apps' own tables by `reports.selectors`; nothing here is a
copy of casework except a snapshot, which is a frozen record of what was reported."""

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
