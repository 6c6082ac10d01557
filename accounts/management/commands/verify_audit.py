from django.core.management.base import BaseCommand, CommandError

from accounts.services import verify_audit_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; report the first broken link or 'intact'."

    def handle(self, *args, **options):
        result = verify_audit_chain()
        if result.intact:
            self.stdout.write(self.style.SUCCESS(f"intact ({result.checked} events checked)"))
            return
        raise CommandError(
            f"broken at audit event {result.broken_at}: {result.reason} "
            f"({result.checked} events before it are intact)"
        )
