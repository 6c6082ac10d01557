"""The audit trail's tamper evidence, against someone who can write to the database.

Each event is chained to the one before it by an HMAC-SHA256 under AUDIT_HMAC_KEY, a key the
database never holds: re-hashing the chain after an edit needs the key. Deleting the newest
events leaves a valid chain, so `manage.py audit_checkpoint` (run by beat) appends the head of
the chain (last id and hash, with the time), signed with the same key, to a file outside the
database; `verify_audit` checks every event against its predecessor and the head against every
checkpoint. Events written before the key existed keep their plain SHA-256 hashes (scheme 1):
they stay verifiable, and the first keyed event and every checkpoint after it pin them.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import AuditEvent, AuditHashScheme

GENESIS_HASH = "0" * 64
CHECKPOINT_VERSION = 1
_CHECKPOINT_CONTEXT = b"audit-checkpoint\x00"

logger = logging.getLogger("accounts.audit.checkpoint")

# The fields every scheme hashes, in order (scheme 2 adds client_request_id and team_id before
# detail).
_LEGACY_FIELDS = (
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "ip_address",
    "request_id",
)


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode()


def _canonical(values: list[Any]) -> bytes:
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def audit_event_digest(
    *, scheme: int, previous_hash: str, occurred_at: datetime.datetime, **fields: Any
) -> str:
    """The hash an event must carry: over the previous hash and every field it records."""
    values = [previous_hash, _utc(occurred_at), *(fields[name] for name in _LEGACY_FIELDS)]
    if scheme == AuditHashScheme.SHA256:
        return hashlib.sha256(_canonical([*values, fields["detail"]])).hexdigest()
    if scheme == AuditHashScheme.HMAC_SHA256:
        payload = _canonical(
            [scheme, *values, fields["client_request_id"], fields["team_id"], fields["detail"]]
        )
        return hmac.new(_key(), payload, hashlib.sha256).hexdigest()
    raise ValueError(f"Unknown audit hash scheme {scheme!r}.")


# --- Checkpoints: the signed head of the chain, outside the database


def _checkpoint_signature(*, last_id: int, hash: str, at: str) -> str:
    payload = _CHECKPOINT_CONTEXT + _canonical([CHECKPOINT_VERSION, last_id, hash, at])
    return hmac.new(_key(), payload, hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def write_audit_checkpoint(*, path: Path | None = None) -> dict[str, Any]:
    """Append the chain's head, signed, as one JSON line (and log it, for an off-host copy).

    No lock is needed: appends are serialised and commit in id order, so the newest committed
    event is the head of a complete chain.
    """
    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    last_id, last_hash = (head["id"], head["hash"]) if head else (0, GENESIS_HASH)
    at = timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds")
    checkpoint = {
        "v": CHECKPOINT_VERSION,
        "last_id": last_id,
        "hash": last_hash,
        "at": at,
        "signature": _checkpoint_signature(last_id=last_id, hash=last_hash, at=at),
    }
    line = json.dumps(checkpoint, separators=(",", ":")) + "\n"
    target = path or checkpoint_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    logger.info("audit checkpoint %s", line.strip())
    return checkpoint


@dataclass(frozen=True)
class Checkpoint:
    line: int
    last_id: int
    hash: str
    at: str


def read_checkpoints(path: Path) -> tuple[list[Checkpoint], list[int]]:
    """The checkpoints whose signature holds, and the line numbers of those that do not."""
    valid: list[Checkpoint] = []
    invalid: list[int] = []
    if not path.exists():
        return valid, invalid
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                checkpoint = Checkpoint(number, int(data["last_id"]), str(data["hash"]), data["at"])
                expected = _checkpoint_signature(
                    last_id=checkpoint.last_id, hash=checkpoint.hash, at=checkpoint.at
                )
                signed = data.get("v") == CHECKPOINT_VERSION and hmac.compare_digest(
                    expected, str(data["signature"])
                )
            except (ValueError, KeyError, TypeError):
                signed = False
            if signed:
                valid.append(checkpoint)
            else:
                invalid.append(number)
    return valid, invalid


# --- Verification


class Check:
    """What failed, named for the report of `verify_audit`."""

    LINK = "link broken"
    HASH = "hash mismatch"
    KEYED_HASH = "keyed hash mismatch"
    DOWNGRADE = "unkeyed hash after keyed events"
    MISSING = "events missing after checkpoint"
    CHECKPOINT_MISMATCH = "event differs from checkpoint"
    CHECKPOINT_SIGNATURE = "checkpoint signature invalid"


@dataclass(frozen=True)
class Problem:
    check: str
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f" at id {self.event_id}" if self.event_id is not None else ""
        return f"{self.check}{where}: {self.message}"


@dataclass(frozen=True)
class AuditVerification:
    checked: int
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def broken_at(self) -> int | None:
        return self.problems[0].event_id if self.problems else None

    @property
    def reason(self) -> str:
        return str(self.problems[0]) if self.problems else ""


_VERIFIED_FIELDS = (
    "id",
    "previous_hash",
    "hash",
    "hash_scheme",
    "occurred_at",
    "client_request_id",
    "team_id",
    "detail",
    *_LEGACY_FIELDS,
)


def verify_audit_chain(*, checkpoints: Path | None = None) -> AuditVerification:
    """Walk the trail in order: every link, every hash under its scheme, then every checkpoint.

    The walk stops at the first broken event (what follows cannot be trusted); checkpoint
    signatures are checked whatever the walk finds, and a forged checkpoint is not relied on.
    """
    valid, invalid = read_checkpoints(checkpoints or checkpoint_path())
    problems = [
        Problem(Check.CHECKPOINT_SIGNATURE, None, f"line {number} of the checkpoint file")
        for number in invalid
    ]
    pinned: dict[int, list[Checkpoint]] = {}
    for checkpoint in valid:
        pinned.setdefault(checkpoint.last_id, []).append(checkpoint)
    expected_previous, keyed_seen, checked, last_id, broken = GENESIS_HASH, False, 0, 0, False
    events = AuditEvent.objects.order_by("id").values(*_VERIFIED_FIELDS)
    for event in events.iterator(chunk_size=2000):
        event_id, scheme = event.pop("id"), event.pop("hash_scheme")
        stored_hash = event.pop("hash")
        problem = None
        if event["previous_hash"] != expected_previous:
            problem = Problem(Check.LINK, event_id, "its link to the previous event does not match")
        elif scheme == AuditHashScheme.SHA256 and keyed_seen:
            problem = Problem(Check.DOWNGRADE, event_id, "an unkeyed hash after keyed events")
        elif audit_event_digest(scheme=scheme, **event) != stored_hash:
            check = Check.KEYED_HASH if scheme == AuditHashScheme.HMAC_SHA256 else Check.HASH
            problem = Problem(check, event_id, "its content does not match its hash")
        else:
            for checkpoint in pinned.pop(event_id, []):
                if checkpoint.hash != stored_hash:
                    problem = Problem(
                        Check.CHECKPOINT_MISMATCH,
                        event_id,
                        f"the checkpoint of {checkpoint.at} (line {checkpoint.line}) "
                        "holds another hash",
                    )
        if problem:
            problems.append(problem)
            broken = True
            break
        keyed_seen = keyed_seen or scheme == AuditHashScheme.HMAC_SHA256
        expected_previous, last_id = stored_hash, event_id
        checked += 1
    if not broken:
        for pinned_id, group in sorted(pinned.items()):
            if pinned_id == 0:
                continue
            checkpoint = group[-1]
            problems.append(
                Problem(
                    Check.MISSING,
                    pinned_id,
                    f"the checkpoint of {checkpoint.at} (line {checkpoint.line}) names event "
                    f"{pinned_id}; the trail ends at id {last_id or 'none'}",
                )
            )
            break
    return AuditVerification(checked=checked, checkpoints=len(valid), problems=problems)
