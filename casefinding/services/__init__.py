"""Case-finding writes, one module per topic: uploads (check, confirm, the import job) and
outreach (the team's worklist, one function per change)."""

from .outreach import (
    accept_outreach,
    decline_outreach,
    end_outreach_no_response,
    record_outreach_attempt,
    take_outreach,
)
from .read_audit import record_outreach_list_viewed, record_outreach_viewed
from .uploads import check_upload, confirm_upload, decode_upload, import_upload

__all__ = [
    "accept_outreach",
    "check_upload",
    "confirm_upload",
    "decline_outreach",
    "decode_upload",
    "end_outreach_no_response",
    "import_upload",
    "record_outreach_attempt",
    "record_outreach_list_viewed",
    "record_outreach_viewed",
    "take_outreach",
]
