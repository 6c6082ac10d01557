from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.audit_chain import checkpoint_path, write_audit_checkpoint


class Command(BaseCommand):
    help = "Append the audit chain's head (last id and hash, signed, with the time) to a file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="The checkpoint file (default: the AUDIT_CHECKPOINT_FILE setting).",
        )

    def handle(self, *args, file: Path | None, **options):
        path = file or checkpoint_path()
        checkpoint = write_audit_checkpoint(path=path)
        self.stdout.write(f"checkpoint at event {checkpoint['last_id']} written to {path}")
