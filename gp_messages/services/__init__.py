"""Writes for messages back: producing them at their moments and filing them."""

from .corrections import correct_message_back
from .filing import mark_message_filed
from .messages_back import codes_for, practice_wants_progress_updates, produce_message_back
from .practice_reviews import flag_for_practice_discussion, record_practice_review
from .sweeps import filing_overdue, sweep_unfiled_messages

__all__ = [
    "flag_for_practice_discussion",
    "record_practice_review",
    "codes_for",
    "correct_message_back",
    "filing_overdue",
    "sweep_unfiled_messages",
    "mark_message_filed",
    "practice_wants_progress_updates",
    "produce_message_back",
]
