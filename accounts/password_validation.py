"""A password strength check that knows what guessers try first."""

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's own advice is in English sentences; a very long password is cut before scoring, since
# the estimate's cost grows with length and anything this long is not guessable anyway.
_SCORED_LENGTH = 100


class GuessablePasswordValidator:
    """Refuses passwords zxcvbn scores below `min_score` (0-4): keyboard walks such as
    "qwertyuiop123", dates, names and common words with digits added, which the length and
    common-password checks let through."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password, user=None):
        inputs = [getattr(user, field, "") or "" for field in ("email", "first_name", "last_name")]
        result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[i for i in inputs if i])
        if result["score"] >= self.min_score:
            return
        feedback = result["feedback"]
        advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise ValidationError(
            "This password is too easy to guess. %(advice)s",
            code="password_too_guessable",
            params={"advice": advice or "Use a few uncommon words together."},
        )

    def get_help_text(self) -> str:
        return (
            "Your password must not be easy to guess: no keyboard patterns, dates or common "
            "words with digits added. A few uncommon words together work well."
        )
