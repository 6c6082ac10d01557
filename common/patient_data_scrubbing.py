"""The one rule for taking patient details out of text we write down: log lines (their message,
traceback and extras, common.json_logs) and error reports (common.error_reporting).

A traceback or an exception's message can quote what a patient's record or a form held: a
model's repr (`<Patient: Ada Lovelace>`), a dict or QueryDict of form data, a database error's
"Key (nhs_number)=(9434765919)", a typed email or postcode. The rule replaces each such detail
with a placeholder naming what it was, so the line still reads (exception type, frames, the
rest of the message) and nothing identifies the patient.

What a pattern cannot recognise is a name in free text (`f"no match for {patient}"`); error
reports, which leave our infrastructure, therefore drop exception messages whole. Link tokens
(/respond/<token>/, /did-you-go/<token>/) are as good as a password, so they go too.

It imports nothing of Django or the apps: logging is configured before the apps load.
"""

import re

LINK_TOKEN_IN_PATH = re.compile(r"(/(?:respond|did-you-go)/)[^/\s?#\"']+")
LINK_TOKEN_REDACTED = r"\1[redacted]"  # noqa: S105 - a placeholder, not a password

SCRUBBED = "[scrubbed]"

_QUOTED = r"""(?:'[^'\n]*'|"[^"\n]*")"""
# A key or keyword argument naming a personal field: given_name, address_line_1, phone, ...
_PERSONAL_KEY = (
    r"\w*(?:name|given|family|forename|surname|address|phone|mobile|email|birth|dob|nhs"
    r"|postcode|note|comment|reason|body|detail)\w*"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"

# (pattern, placeholder), applied in this order: the specific before the general (an email
# holds what could read as a postcode; a repr holds anything).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (LINK_TOKEN_IN_PATH, LINK_TOKEN_REDACTED),
    (re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # A Django model's repr is `<Class: str(instance)>`, and str() of a patient is their name.
    (re.compile(r"<(\w+): [^<>\n]*>"), rf"<\1: {SCRUBBED}>"),
    # A dict's or QueryDict's repr: {'given_name': 'Ada'}, {'family_name': ['Lovelace']}.
    (
        re.compile(
            rf"""((['"]){_PERSONAL_KEY}\2\s*:\s*)(?:{_QUOTED}|\[\s*{_QUOTED}(?:\s*,\s*{_QUOTED})*\s*\])""",
            re.IGNORECASE,
        ),
        rf"\1'{SCRUBBED}'",
    ),
    # Keyword arguments in a repr: Patient(given_name='Ada').
    (re.compile(rf"\b({_PERSONAL_KEY}=){_QUOTED}", re.IGNORECASE), rf"\1'{SCRUBBED}'"),
    # Dates (of birth, most likely): 1950-05-03, 03/05/1950, 3 May 1950, date(1950, 5, 3).
    (re.compile(r"\b(date(?:time)?)\(\d{4}, \d{1,2}, \d{1,2}"), r"\1([date]"),
    (re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"), "[date]"),
    (re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH} \d{{4}}\b", re.IGNORECASE), "[date]"),
    # NHS numbers: ten digits, often written 3 3 4.
    (re.compile(r"(?<![\w+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\w)"), "[nhs-number]"),
    # UK telephone numbers: 07700 900123, 020 7946 0000, +44 7700 900123.
    (re.compile(r"(?<![\w+])(?:\+44[ -]?(?:\(0\)[ -]?)?|0)\d(?:[ -]?\d){8,9}(?!\w)"), "[phone]"),
    # UK postcodes: LS1 4AP, ls14ap, SW1A 1AA.
    (
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE),
        "[postcode]",
    ),
)


def scrub_patient_details(text: str) -> str:
    """`text` with every patient detail the rule recognises replaced by its placeholder."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text
