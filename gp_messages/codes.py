"""The SNOMED CT concepts the practice files in the GP record, from NHS England's social
prescribing coding guidance (the README's code table cites it)."""

from dataclasses import dataclass

REFERRAL_TO_SOCIAL_PRESCRIBING = "871731000000106"
SOCIAL_PRESCRIBING_DECLINED = "871711000000103"
SNOMED_SYSTEM = "http://snomed.info/sct"

DISPLAY = {
    REFERRAL_TO_SOCIAL_PRESCRIBING: "Referral to social prescribing service",
    SOCIAL_PRESCRIBING_DECLINED: "Social prescribing declined",
}


@dataclass(frozen=True)
class CodedEntry:
    code: str
    on: str  # ISO date

    @property
    def display(self) -> str:
        return DISPLAY[self.code]
