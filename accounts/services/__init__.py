"""The accounts app's business rules, one module per topic; every name is re-exported here, so
callers write `accounts.services.record_audit_event` without knowing the module it lives in.

- audit (accounts/audit.py): appending events to the audit trail
- memberships: who belongs to which organisation, in which role
- notifications: in-app notices
- sessions, api_tokens: logging a user out everywhere; issuing and revoking API tokens
- reminders: creating reminders once under their unique key
- reminder_delivery: sending them exactly once, retries, recovery
- jobs: running a sweep and recording it
"""

from ..audit import (
    AuditEntry,
    Listed,
    list_viewed_entries,
    record_audit_event,
    record_audit_events,
    record_audit_list_viewed,
    record_list_viewed,
)
from .api_tokens import issue_api_token, revoke_api_token, revoke_api_tokens
from .jobs import run_sweep
from .memberships import MembershipError, add_member
from .notifications import (
    mark_all_notifications_read,
    mark_notification_read,
    mark_notifications_read,
    notify,
)
from .people import (
    MANAGER_GRANTABLE_ROLES,
    PeopleChangeRefused,
    deactivate_person,
    give_role,
    invite_user,
    may_grant,
    may_manage_person,
    remove_role,
)
from .reminder_delivery import (
    DeliveryOutcome,
    ReminderNotFailed,
    deliver_reminder,
    deliver_reminders,
    enqueue_reminder_deliveries,
    enqueue_reminder_delivery,
    recover_reminders,
    render_reminder,
    retry_delay_seconds,
    retry_failed_reminder,
)
from .reminders import (
    Recipient,
    ReminderRequest,
    create_reminders,
    create_reminders_in_bulk,
    create_reminders_in_chunks,
    user_recipient,
)
from .sessions import deactivate_user, end_user_sessions

__all__ = [
    "MANAGER_GRANTABLE_ROLES",
    "PeopleChangeRefused",
    "deactivate_person",
    "give_role",
    "invite_user",
    "may_grant",
    "may_manage_person",
    "remove_role",
    "AuditEntry",
    "DeliveryOutcome",
    "Listed",
    "MembershipError",
    "Recipient",
    "ReminderNotFailed",
    "ReminderRequest",
    "add_member",
    "create_reminders",
    "create_reminders_in_bulk",
    "create_reminders_in_chunks",
    "deactivate_user",
    "deliver_reminder",
    "deliver_reminders",
    "end_user_sessions",
    "enqueue_reminder_deliveries",
    "enqueue_reminder_delivery",
    "issue_api_token",
    "list_viewed_entries",
    "mark_all_notifications_read",
    "mark_notification_read",
    "mark_notifications_read",
    "notify",
    "recover_reminders",
    "record_audit_event",
    "record_audit_events",
    "record_audit_list_viewed",
    "record_list_viewed",
    "render_reminder",
    "retry_delay_seconds",
    "retry_failed_reminder",
    "revoke_api_token",
    "revoke_api_tokens",
    "run_sweep",
    "user_recipient",
]
