"""The audit trail's tamper evidence, against someone who can write to the database.

Each event is chained to the one before it by an HMAC-SHA256 under AUDIT_HMAC_KEY, a key the
database never holds: re-hashing the chain after an edit needs the key. Deleting the newest
events leaves a valid chain, so `manage.py audit_checkpoint` (run by beat) appends the head of
the chain (last id and hash, with the time), signed with the same key, to a file outside the
database; `verify_audit` checks every event against its predecessor and the head against every
checkpoint. Events written before the key existed keep their plain SHA-256 hashes (scheme 1):
they stay verifiable, and the first keyed event and every checkpoint after it pin them.

The trail is AUDIT_CHAIN_STREAMS independent chains (`AuditEvent.stream`), so that appends by
different people do not wait for one lock: an event's chain is picked from a stable key (who
acted, see accounts.audit), each chain starts from the genesis hash, has its own lock and is
verified on its own, and every checkpoint signs the head of every chain. Events from before
there were several chains are chain 0, which goes on from them. Raising the number of chains is
safe at any time; do not lower it (the heads of chains beyond it would no longer be signed).
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import AuditEvent, AuditHashScheme

GENESIS_HASH = "0" * 64
CHECKPOINT_VERSION = 2  # 1: one chain's head; 2: every chain's head
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


def chain_stream_of(key: str) -> int:
    """The chain (0 … AUDIT_CHAIN_STREAMS - 1) for a stable key: a hash, not Python's hash(),
    so every process agrees."""
    streams = max(1, settings.AUDIT_CHAIN_STREAMS)
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % streams


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


def _checkpoint_signature(
    *, version: int, last_id: int, hash: str, at: str, heads: Sequence[Sequence[Any]] = ()
) -> str:
    signed: list[Any] = [version, last_id, hash, at]
    if version >= 2:
        signed.insert(3, [list(head) for head in heads])
    payload = _CHECKPOINT_CONTEXT + _canonical(signed)
    return hmac.new(_key(), payload, hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def chain_heads() -> list[tuple[int, int, str]]:
    """(chain, last id, last hash) of every chain that has events: one indexed read each.

    No lock is needed: appends to a chain are serialised by its lock and commit in id order,
    so each chain's newest committed event is the head of a complete chain.
    """
    heads = []
    for stream in range(max(1, settings.AUDIT_CHAIN_STREAMS)):
        head = AuditEvent.objects.filter(stream=stream).order_by("-id").values("id", "hash").first()
        if head:
            heads.append((stream, head["id"], head["hash"]))
    return heads


def write_audit_checkpoint(*, path: Path | None = None) -> dict[str, Any]:
    """Append the head of every chain, signed, as one JSON line (and log it, for an off-host
    copy). `last_id` and `hash` name the newest event of all."""
    heads = chain_heads()
    last_id, last_hash = max(((i, h) for _, i, h in heads), default=(0, GENESIS_HASH))
    at = timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds")
    checkpoint = {
        "v": CHECKPOINT_VERSION,
        "last_id": last_id,
        "hash": last_hash,
        "heads": [list(head) for head in heads],
        "at": at,
        "signature": _checkpoint_signature(
            version=CHECKPOINT_VERSION, last_id=last_id, hash=last_hash, at=at, heads=heads
        ),
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
    # (chain, id, hash) of each chain's head; a version 1 line pins its one head in chain 0.
    heads: tuple[tuple[int, int, str], ...] = ()

    @property
    def pins(self) -> list[tuple[int, int, str]]:
        return list(self.heads) or [(0, self.last_id, self.hash)]


def _parse_checkpoint(number: int, data: dict[str, Any]) -> Checkpoint | None:
    """The checkpoint if its signature holds (either version), else None."""
    version = data.get("v")
    if version not in (1, 2):
        return None
    heads = (
        tuple((int(c), int(i), str(h)) for c, i, h in data.get("heads", [])) if version == 2 else ()
    )
    checkpoint = Checkpoint(number, int(data["last_id"]), str(data["hash"]), data["at"], heads)
    expected = _checkpoint_signature(
        version=version,
        last_id=checkpoint.last_id,
        hash=checkpoint.hash,
        at=checkpoint.at,
        heads=heads,
    )
    return checkpoint if hmac.compare_digest(expected, str(data["signature"])) else None


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
                checkpoint = _parse_checkpoint(number, json.loads(text))
            except (ValueError, KeyError, TypeError, AttributeError):
                checkpoint = None
            if checkpoint is not None:
                valid.append(checkpoint)
            else:
                invalid.append(number)
    return valid, invalid


def latest_checkpoint(path: Path, *, tail_bytes: int = 65536) -> Checkpoint | None:
    """The newest checkpoint whose signature holds, read from the end of the file only (the
    metrics scrape asks every few seconds; the file grows by a line every few minutes)."""
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - tail_bytes))
        lines = handle.read().decode("utf-8", "replace").splitlines()
    for text in reversed(lines):
        try:
            checkpoint = _parse_checkpoint(0, json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if checkpoint is not None:
            return checkpoint
    return None


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
    "stream",
    "previous_hash",
    "hash",
    "hash_scheme",
    "occurred_at",
    "client_request_id",
    "team_id",
    "detail",
    *_LEGACY_FIELDS,
)


@dataclass
class _ChainState:
    expected_previous: str = GENESIS_HASH
    keyed_seen: bool = False
    last_id: int = 0
    broken: bool = False


def _check_event(
    event: dict[str, Any], chain: _ChainState, pinned: dict[int, list[tuple[Checkpoint, str]]]
) -> Problem | None:
    event_id, scheme, stored_hash = event.pop("id"), event.pop("hash_scheme"), event.pop("hash")
    if event["previous_hash"] != chain.expected_previous:
        return Problem(Check.LINK, event_id, "its link to the previous event does not match")
    if scheme == AuditHashScheme.SHA256 and chain.keyed_seen:
        return Problem(Check.DOWNGRADE, event_id, "an unkeyed hash after keyed events")
    if audit_event_digest(scheme=scheme, **event) != stored_hash:
        check = Check.KEYED_HASH if scheme == AuditHashScheme.HMAC_SHA256 else Check.HASH
        return Problem(check, event_id, "its content does not match its hash")
    for checkpoint, expected_hash in pinned.pop(event_id, []):
        if expected_hash != stored_hash:
            return Problem(
                Check.CHECKPOINT_MISMATCH,
                event_id,
                f"the checkpoint of {checkpoint.at} (line {checkpoint.line}) holds another hash",
            )
    chain.keyed_seen = chain.keyed_seen or scheme == AuditHashScheme.HMAC_SHA256
    chain.expected_previous, chain.last_id = stored_hash, event_id
    return None


def verify_audit_chain(*, checkpoints: Path | None = None) -> AuditVerification:
    """Walk each chain in order: every link, every hash under its scheme, then every checkpoint.

    A chain's walk stops at its first broken event (what follows in it cannot be trusted); the
    other chains are still verified. Checkpoint signatures are checked whatever the walk finds,
    and a forged checkpoint is not relied on.
    """
    valid, invalid = read_checkpoints(checkpoints or checkpoint_path())
    problems = [
        Problem(Check.CHECKPOINT_SIGNATURE, None, f"line {number} of the checkpoint file")
        for number in invalid
    ]
    pinned: dict[int, list[tuple[Checkpoint, str]]] = {}
    pinned_chain: dict[int, int] = {}
    for checkpoint in valid:
        for stream, event_id, expected_hash in checkpoint.pins:
            pinned.setdefault(event_id, []).append((checkpoint, expected_hash))
            pinned_chain[event_id] = stream
    chains: dict[int, _ChainState] = {}
    checked = 0
    events = AuditEvent.objects.order_by("stream", "id").values(*_VERIFIED_FIELDS)
    for event in events.iterator(chunk_size=2000):
        chain = chains.setdefault(event.pop("stream"), _ChainState())
        if chain.broken:
            continue
        problem = _check_event(event, chain, pinned)
        if problem:
            problems.append(problem)
            chain.broken = True
            continue
        checked += 1
    for pinned_id in sorted(pinned):
        chain = chains.get(pinned_chain[pinned_id], _ChainState())
        if pinned_id == 0 or chain.broken:
            continue
        checkpoint = pinned[pinned_id][-1][0]
        problems.append(
            Problem(
                Check.MISSING,
                pinned_id,
                f"the checkpoint of {checkpoint.at} (line {checkpoint.line}) names event "
                f"{pinned_id} of chain {pinned_chain[pinned_id]}; the trail ends at id "
                f"{chain.last_id or 'none'}",
            )
        )
        break
    return AuditVerification(checked=checked, checkpoints=len(valid), problems=problems)
