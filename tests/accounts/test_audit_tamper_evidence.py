"""The audit trail against someone who can write to the database: an edit re-hashed with plain
SHA-256, the newest rows deleted, a forged checkpoint. Each is detected and the check named."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts import tasks
from accounts.audit_chain import (
    GENESIS_HASH,
    Check,
    audit_event_digest,
    read_checkpoints,
    verify_audit_chain,
    write_audit_checkpoint,
)
from accounts.models import AuditEvent, AuditHashScheme
from accounts.services import record_audit_event

TABLE = AuditEvent._meta.db_table
TRIGGER = "accounts_auditevent_append_only"
HASHED = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "ip_address",
    "request_id",
    "client_request_id",
    "team_id",
    "detail",
)


def _events(actor, count=4):
    return [
        record_audit_event(
            actor=actor, action="view", object_type="patient", patient_id=i, detail=f"event {i}"
        )
        for i in range(1, count + 1)
    ]


def _raw(*statements):
    """As the database owner would: the append-only trigger switched off around the change."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block ALTER TABLE
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        for statement, params in statements:
            cursor.execute(statement, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def _rehash_from(event_id, *, scheme, as_scheme):
    """Recompute every hash from event_id on, with the attacker's (keyless) algorithm."""
    rows = list(AuditEvent.objects.order_by("id").values("id", "hash", *HASHED))
    previous = GENESIS_HASH
    updates = []
    for row in rows:
        row_id, stored = row.pop("id"), row.pop("hash")
        if row_id < event_id:
            previous = stored
            continue
        digest = audit_event_digest(scheme=scheme, previous_hash=previous, **row)
        updates.append(
            (
                f"UPDATE {TABLE} SET previous_hash = %s, hash = %s, hash_scheme = %s WHERE id = %s",  # noqa: S608
                [previous, digest, as_scheme, row_id],
            )
        )
        previous = digest
    return updates


def test_new_events_carry_a_keyed_hash_that_a_plain_sha256_cannot_reproduce(coordinator_x):
    (event,) = _events(coordinator_x, 1)
    fields = {name: getattr(event, name) for name in HASHED}
    fields["actor_id"] = event.actor_id
    assert event.hash_scheme == AuditHashScheme.HMAC_SHA256
    assert event.hash != audit_event_digest(
        scheme=AuditHashScheme.SHA256, previous_hash=GENESIS_HASH, **fields
    )


def test_a_trail_checked_with_another_key_is_a_keyed_hash_mismatch(coordinator_x, settings):
    first, *_ = _events(coordinator_x)
    settings.AUDIT_HMAC_KEY = "another-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    result = verify_audit_chain()
    assert (result.problems[0].check, result.broken_at) == (Check.KEYED_HASH, first.pk)


def test_events_from_before_the_key_still_verify_and_are_pinned_by_the_first_keyed_one(
    coordinator_x,
):
    previous = GENESIS_HASH
    for i in range(2):
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor_label="old@example.org",
            action="view",
            object_type="patient",
            patient_id=str(i),
            detail=f"before the key {i}",
            previous_hash=previous,
            hash_scheme=AuditHashScheme.SHA256,
        )
        fields = {name: getattr(event, name) for name in HASHED}
        event.hash = audit_event_digest(
            scheme=AuditHashScheme.SHA256, previous_hash=previous, **fields
        )
        event.save(force_insert=True)
        previous = event.hash
    _events(coordinator_x, 2)
    result = verify_audit_chain()
    assert result.intact, result.reason
    assert result.checked == 4


@pytest.mark.postgres
def test_an_edit_rehashed_with_plain_sha256_is_a_keyed_hash_mismatch(coordinator_x):
    _, edited, *_ = _events(coordinator_x)
    _raw(
        (f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE id = %s", [edited.pk]),  # noqa: S608
    )
    _raw(*_rehash_from(edited.pk, scheme=AuditHashScheme.SHA256, as_scheme=2))
    result = verify_audit_chain()
    assert result.problems[0].check == Check.KEYED_HASH
    assert result.broken_at == edited.pk
    with pytest.raises(CommandError, match=f"keyed hash mismatch at id {edited.pk}"):
        call_command("verify_audit")


@pytest.mark.postgres
def test_an_edit_rehashed_and_marked_as_from_before_the_key_is_refused(coordinator_x):
    _, edited, *_ = _events(coordinator_x)
    _raw(
        (f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE id = %s", [edited.pk]),  # noqa: S608
    )
    _raw(*_rehash_from(edited.pk, scheme=AuditHashScheme.SHA256, as_scheme=1))
    result = verify_audit_chain()
    assert (result.problems[0].check, result.broken_at) == (Check.DOWNGRADE, edited.pk)


@pytest.mark.postgres
def test_a_whole_trail_rehashed_as_from_before_the_key_differs_from_the_checkpoint(
    coordinator_x,
):
    first, _, _, last = _events(coordinator_x)
    write_audit_checkpoint()
    _raw(
        (f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE id = %s", [first.pk]),  # noqa: S608
    )
    _raw(*_rehash_from(first.pk, scheme=AuditHashScheme.SHA256, as_scheme=1))
    result = verify_audit_chain()
    assert (result.problems[0].check, result.broken_at) == (Check.CHECKPOINT_MISMATCH, last.pk)
    with pytest.raises(CommandError, match=f"event differs from checkpoint at id {last.pk}"):
        call_command("verify_audit")


@pytest.mark.postgres
def test_deleting_the_newest_events_after_a_checkpoint_is_detected(coordinator_x, capsys):
    _, second, third, last = _events(coordinator_x)
    call_command("audit_checkpoint")
    assert verify_audit_chain().intact
    _raw((f"DELETE FROM {TABLE} WHERE id >= %s", [third.pk]))  # noqa: S608
    result = verify_audit_chain()
    assert (result.problems[0].check, result.broken_at) == (Check.MISSING, last.pk)
    assert f"the trail ends at id {second.pk}" in result.reason
    with pytest.raises(CommandError, match=f"events missing after checkpoint at id {last.pk}"):
        call_command("verify_audit")


def test_events_added_after_a_checkpoint_verify(coordinator_x):
    _events(coordinator_x, 2)
    write_audit_checkpoint()
    _events(coordinator_x, 2)
    write_audit_checkpoint()
    result = verify_audit_chain()
    assert result.intact, result.reason
    assert (result.checked, result.checkpoints) == (4, 2)


def test_a_forged_checkpoint_line_is_reported(coordinator_x, audit_checkpoint_file):
    events = _events(coordinator_x, 2)
    write_audit_checkpoint()
    genuine = json.loads(audit_checkpoint_file.read_text().splitlines()[0])
    forged = {**genuine, "last_id": events[0].pk, "hash": events[0].hash}
    with audit_checkpoint_file.open("a") as lines:
        lines.write(json.dumps(forged) + "\n")
        lines.write("not json at all\n")
    valid, invalid = read_checkpoints(audit_checkpoint_file)
    assert ([c.last_id for c in valid], invalid) == ([events[1].pk], [2, 3])
    result = verify_audit_chain()
    assert [p.check for p in result.problems] == [Check.CHECKPOINT_SIGNATURE] * 2
    with pytest.raises(CommandError, match="checkpoint signature invalid"):
        call_command("verify_audit")


def test_a_checkpoint_is_one_signed_json_line_with_the_head_and_the_time(
    coordinator_x, audit_checkpoint_file
):
    *_, last = _events(coordinator_x, 2)
    tasks.write_audit_checkpoint()
    (line,) = audit_checkpoint_file.read_text().splitlines()
    checkpoint = json.loads(line)
    assert (checkpoint["last_id"], checkpoint["hash"]) == (last.pk, last.hash)
    assert checkpoint["at"] and len(checkpoint["signature"]) == 64


def test_beat_writes_an_audit_checkpoint_every_few_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["write-audit-checkpoint"]
    assert entry["task"] == tasks.write_audit_checkpoint.name
    assert entry["schedule"] <= 600


def test_verify_audit_says_intact_and_warns_without_checkpoints(coordinator_x, capsys):
    _events(coordinator_x, 2)
    call_command("verify_audit")
    out, err = capsys.readouterr()
    assert "intact (2 events checked, 0 checkpoints" in out
    assert "No checkpoints" in err
