from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit_chain import checkpoint_path, verify_audit_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail: every link, every (keyed) hash, and the head against the signed "
        "checkpoints. Names each failed check; exits non-zero when one fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            type=Path,
            default=None,
            help="The checkpoint file (default: the AUDIT_CHECKPOINT_FILE setting).",
        )

    def handle(self, *args, checkpoints: Path | None, **options):
        path = checkpoints or checkpoint_path()
        result = verify_audit_chain(checkpoints=path)
        if result.intact:
            self.stdout.write(
                self.style.SUCCESS(
                    f"intact ({result.checked} events checked, "
                    f"{result.checkpoints} checkpoints in {path})"
                )
            )
            if not result.checkpoints:
                self.stderr.write(
                    "No checkpoints: deleting the newest events cannot be detected. "
                    "Run `manage.py audit_checkpoint` (beat does it every few minutes)."
                )
            return
        for problem in result.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"audit trail broken: {result.reason} ({result.checked} events before it are intact)"
        )
