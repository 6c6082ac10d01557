import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from community_services.hsds import HSDSRecordError, parse_service_document, record_id
from community_services.services import import_hsds_service


def read_documents(path: Path) -> list:
    """What the feed exports: a page of `GET /hsds/services?full=true` (its `contents`), the
    ndjson of `?full=true&format=ndjson` (one service a line), or a JSON list of services."""
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            documents = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from exc
        return documents
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and isinstance(whole.get("contents"), list):
        return whole["contents"]
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as exc:
            documents.append(HSDSRecordError(f"line {number} is not valid JSON: {exc.msg}"))
    return documents


class Command(BaseCommand):
    help = (
        "Import Open Referral HSDS 3.0 services (what /hsds/services?full=true exports: a page, "
        "or ndjson with format=ndjson; or a JSON list of compiled services) "
        "as services awaiting vetting. Records are matched by id; invalid ones are reported "
        "and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args, file: Path, no_progress: bool = False, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        documents = read_documents(file)
        created = updated = 0
        problems: list[tuple[str, str]] = []
        progress = tqdm(
            documents,
            desc="Importing services",
            unit="service",
            disable=no_progress or None,
            file=self.stderr,
        )
        for document in progress:
            if isinstance(document, HSDSRecordError):
                problems.append(("(unreadable)", str(document)))
                continue
            try:
                parsed = parse_service_document(document)
                _, was_created = import_hsds_service(by=None, parsed=parsed)
            except HSDSRecordError as exc:
                problems.append((record_id(document), str(exc)))
                continue
            except ValidationError as exc:
                reasons = "; ".join(
                    f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items()
                )
                problems.append((record_id(document), reasons))
                continue
            except IntegrityError as exc:
                problems.append((record_id(document), f"conflicts with existing data ({exc})"))
                continue
            created += was_created
            updated += not was_created
        for identifier, reason in problems:
            self.stderr.write(f"Skipped {identifier}: {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created + updated} services ({created} new, {updated} updated); "
                f"skipped {len(problems)}."
            )
        )
