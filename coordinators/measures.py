"""Wellbeing measures, scored in one place: ONS4 and SWEMWBS.

Each instrument can be switched off in settings (`WELLBEING_INSTRUMENTS`), since SWEMWBS is licensed
by its owners; wherever one is shown, its copyright line goes with it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


class MeasureAnswersInvalid(ValueError):
    """Answers that cannot be scored; `errors` maps each item key to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Item:
    key: str
    text: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    items: tuple[Item, ...]
    minimum: int
    maximum: int
    scale_labels: tuple[str, ...]
    copyright: str

    def validate(self, answers: dict) -> dict[str, int]:
        """Every item answered with a whole number in range, nothing else; else field errors."""
        errors: dict[str, str] = {}
        clean: dict[str, int] = {}
        for item in self.items:
            value = answers.get(item.key)
            if value is None or value == "":
                errors[item.key] = "Answer this question."
                continue
            if isinstance(value, bool):
                errors[item.key] = "Answer with a number."
                continue
            try:
                number = int(str(value).strip())
            except ValueError:
                errors[item.key] = "Answer with a whole number."
                continue
            if isinstance(value, float | Decimal) and value != number:
                errors[item.key] = "Answer with a whole number."
                continue
            if not self.minimum <= number <= self.maximum:
                errors[item.key] = f"Answer with a number from {self.minimum} to {self.maximum}."
                continue
            clean[item.key] = number
        unknown = set(answers) - {item.key for item in self.items}
        for key in sorted(unknown):
            errors[key] = f"{self.name} has no question called {key!r}."
        if errors:
            raise MeasureAnswersInvalid(errors)
        return clean


ONS4 = Instrument(
    code="ons4",
    name="ONS personal wellbeing (ONS4)",
    items=(
        Item("life_satisfaction", "Overall, how satisfied are you with your life nowadays?"),
        Item(
            "worthwhile",
            "Overall, to what extent do you feel that the things you do in your life are "
            "worthwhile?",
        ),
        Item("happiness", "Overall, how happy did you feel yesterday?"),
        Item("anxiety", "Overall, how anxious did you feel yesterday?"),
    ),
    minimum=0,
    maximum=10,
    scale_labels=("0 = not at all", "10 = completely"),
    copyright=(
        "ONS personal wellbeing questions: Office for National Statistics, Crown copyright, "
        "Open Government Licence v3.0."
    ),
)

SWEMWBS = Instrument(
    code="swemwbs",
    name="Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
    items=(
        Item("optimistic", "I've been feeling optimistic about the future"),
        Item("useful", "I've been feeling useful"),
        Item("relaxed", "I've been feeling relaxed"),
        Item("dealing_with_problems", "I've been dealing with problems well"),
        Item("thinking_clearly", "I've been thinking clearly"),
        Item("close_to_others", "I've been feeling close to other people"),
        Item("own_mind", "I've been able to make up my own mind about things"),
    ),
    minimum=1,
    maximum=5,
    scale_labels=(
        "1 = none of the time",
        "2 = rarely",
        "3 = some of the time",
        "4 = often",
        "5 = all of the time",
    ),
    copyright=(
        "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) © University of Warwick, 2006, "
        "all rights reserved. Used under licence."
    ),
)

INSTRUMENTS = {instrument.code: instrument for instrument in (ONS4, SWEMWBS)}

# The published raw-to-metric conversion for SWEMWBS (raw 7–35).
SWEMWBS_METRIC = {
    raw: Decimal(metric)
    for raw, metric in {
        7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
        14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98",
        20: "18.59", 21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35",
        26: "23.21", 27: "24.11", 28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13",
        32: "29.31", 33: "30.70", 34: "32.55", 35: "35.00",
    }.items()
}  # fmt: skip


def enabled_instruments() -> list[Instrument]:
    return [INSTRUMENTS[code] for code in settings.WELLBEING_INSTRUMENTS if code in INSTRUMENTS]


def get_enabled_instrument(code: str) -> Instrument:
    if code not in settings.WELLBEING_INSTRUMENTS or code not in INSTRUMENTS:
        raise MeasureAnswersInvalid({"instrument": f"The measure {code!r} is not in use here."})
    return INSTRUMENTS[code]


def ons4_band(item_key: str, score: int) -> str:
    """ONS thresholds: anxiety runs the other way (higher is worse)."""
    if item_key == "anxiety":
        if score <= 1:
            return "very low"
        if score <= 3:
            return "low"
        if score <= 5:
            return "medium"
        return "high"
    if score <= 4:
        return "low"
    if score <= 6:
        return "medium"
    if score <= 8:
        return "high"
    return "very high"


@dataclass(frozen=True)
class MeasureScore:
    instrument: str
    answers: dict[str, int]
    # SWEMWBS: raw 7–35 and the metric score; ONS4: none (each item stands alone).
    raw_total: int | None
    metric_score: Decimal | None
    bands: dict[str, str]


def score(instrument_code: str, answers: dict) -> MeasureScore:
    instrument = get_enabled_instrument(instrument_code)
    clean = instrument.validate(answers)
    if instrument is SWEMWBS:
        raw = sum(clean.values())
        return MeasureScore(instrument.code, clean, raw, SWEMWBS_METRIC[raw], {})
    return MeasureScore(
        instrument.code,
        clean,
        None,
        None,
        {key: ons4_band(key, value) for key, value in clean.items()},
    )
