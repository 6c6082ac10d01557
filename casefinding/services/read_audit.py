"""Who read which identified patients: lists and pages of outreach entries are audited."""

from collections.abc import Sequence

from accounts.models import User
from accounts.services import Listed, record_audit_event, record_list_viewed

from ..models import OutreachEntry


def record_outreach_list_viewed(*, by: User, what: str, entries: Sequence[OutreachEntry]) -> None:
    record_list_viewed(
        actor=by,
        what=what,
        object_type="outreach_entry",
        listed=[Listed(entry.pk, entry.patient_id) for entry in entries],
    )


def record_outreach_viewed(*, entry: OutreachEntry, by: User) -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="outreach_entry",
        object_id=entry.pk,
        patient_id=entry.patient_id,
        team_id=entry.team_id,
        detail="viewed an identified patient",
    )
