"""The audit trail as several hash chains (AUDIT_CHAIN_STREAMS): appends by different people do
not wait for one lock, each chain is verified on its own, and every checkpoint signs every chain's
head, so the tamper evidence of one chain holds for all of them."""

import json
import threading

import pytest
from django.db import connection, connections, transaction

from accounts.audit import _AUDIT_CHAIN_LOCK_KEY
from accounts.audit_chain import (
    GENESIS_HASH,
    Check,
    _checkpoint_signature,
    chain_stream_of,
    verify_audit_chain,
    write_audit_checkpoint,
)
from accounts.models import AuditEvent
from accounts.services import record_audit_event
from tests.factories import UserFactory

TABLE = AuditEvent._meta.db_table
TRIGGER = "accounts_auditevent_append_only"


def _two_people_in_different_chains():
    first = UserFactory()
    while True:
        second = UserFactory()
        if chain_stream_of(f"user:{second.pk}") != chain_stream_of(f"user:{first.pk}"):
            return first, second


def _view(actor, number):
    return record_audit_event(
        actor=actor, action="view", object_type="patient", patient_id=number, detail=f"{number}"
    )


def _raw(statement, params):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(statement, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def test_each_person_s_events_chain_in_their_own_stream_from_the_genesis_hash(db):
    alice, bob = _two_people_in_different_chains()
    a1, b1, a2, b2 = _view(alice, 1), _view(bob, 2), _view(alice, 3), _view(bob, 4)
    assert a1.stream != b1.stream
    assert (a1.previous_hash, b1.previous_hash) == (GENESIS_HASH, GENESIS_HASH)
    assert (a2.previous_hash, b2.previous_hash) == (a1.hash, b1.hash)
    assert (a2.stream, b2.stream) == (a1.stream, b1.stream)
    result = verify_audit_chain()
    assert result.intact, result.reason
    assert result.checked == 4


def test_with_one_stream_every_event_is_one_chain_as_before(db, settings):
    settings.AUDIT_CHAIN_STREAMS = 1
    alice, bob = UserFactory(), UserFactory()
    first, second = _view(alice, 1), _view(bob, 2)
    assert (first.stream, second.stream, second.previous_hash) == (0, 0, first.hash)


def test_a_checkpoint_signs_the_head_of_every_chain(db, audit_checkpoint_file):
    alice, bob = _two_people_in_different_chains()
    _view(alice, 1)
    a2, b1 = _view(alice, 2), _view(bob, 3)
    checkpoint = write_audit_checkpoint()
    assert sorted(map(tuple, checkpoint["heads"])) == sorted(
        [(a2.stream, a2.pk, a2.hash), (b1.stream, b1.pk, b1.hash)]
    )
    assert (checkpoint["last_id"], checkpoint["hash"]) == (b1.pk, b1.hash)
    line = json.loads(audit_checkpoint_file.read_text())
    line["heads"] = [[a2.stream, a2.pk - 1, "0" * 64], line["heads"][1]]
    audit_checkpoint_file.write_text(json.dumps(line) + "\n")
    assert [p.check for p in verify_audit_chain().problems] == [Check.CHECKPOINT_SIGNATURE]


@pytest.mark.postgres
def test_deleting_the_head_of_a_chain_that_is_not_the_newest_is_detected(db):
    alice, bob = _two_people_in_different_chains()
    _view(alice, 1)
    alice_head = _view(alice, 2)
    _view(bob, 3)
    write_audit_checkpoint()
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [alice_head.pk])  # noqa: S608
    result = verify_audit_chain()
    assert (result.problems[0].check, result.broken_at) == (Check.MISSING, alice_head.pk)
    assert f"of chain {alice_head.stream}" in result.reason


@pytest.mark.postgres
def test_an_edit_in_one_chain_is_reported_and_the_other_chains_are_still_verified(db):
    alice, bob = _two_people_in_different_chains()
    edited = _view(alice, 1)
    _view(alice, 2)
    _view(bob, 3)
    _view(bob, 4)
    _raw(f"UPDATE {TABLE} SET detail = 'nothing happened' WHERE id = %s", [edited.pk])  # noqa: S608
    result = verify_audit_chain()
    assert [(p.check, p.event_id) for p in result.problems] == [(Check.KEYED_HASH, edited.pk)]
    assert result.checked == 2  # bob's chain, whole; alice's stops at the edit


def test_a_checkpoint_from_the_single_chain_still_verifies_after_the_upgrade(
    db, settings, audit_checkpoint_file
):
    """The upgrade: a version 1 checkpoint of the one chain, then events in several chains."""
    settings.AUDIT_CHAIN_STREAMS = 1
    old = _view(UserFactory(), 1)
    at = "2026-01-01T00:00:00+00:00"
    old_line = {
        "v": 1,
        "last_id": old.pk,
        "hash": old.hash,
        "at": at,
        "signature": _checkpoint_signature(version=1, last_id=old.pk, hash=old.hash, at=at),
    }
    audit_checkpoint_file.write_text(json.dumps(old_line) + "\n")
    settings.AUDIT_CHAIN_STREAMS = 16
    alice, bob = _two_people_in_different_chains()
    _view(alice, 2)
    _view(bob, 3)
    write_audit_checkpoint()
    result = verify_audit_chain()
    assert result.intact, result.reason
    assert (result.checked, result.checkpoints) == (3, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_append_to_another_chain_does_not_wait_for_a_chain_s_lock():
    """One connection holds alice's chain lock (a long audited change); bob appends meanwhile."""
    alice, bob = _two_people_in_different_chains()
    holding, release = threading.Event(), threading.Event()
    appended_while_held: list[bool] = []

    def long_change():
        try:
            with transaction.atomic():
                _view(alice, 1)
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=long_change)
    holder.start()
    assert holding.wait(timeout=20)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            bob_event = _view(bob, 2)
            appended_while_held.append(not release.is_set())
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s)",
                [_AUDIT_CHAIN_LOCK_KEY + chain_stream_of(f"user:{alice.pk}")],
            )
            alice_chain_free = cursor.fetchone()[0]
            cursor.execute("RESET lock_timeout")
    finally:
        release.set()
        holder.join(timeout=20)
    assert appended_while_held == [True]
    assert alice_chain_free is False  # alice's chain really was locked all along
    assert bob_event.previous_hash == GENESIS_HASH
    assert verify_audit_chain().intact
