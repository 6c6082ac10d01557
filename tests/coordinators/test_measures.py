from decimal import Decimal

import pytest

from coordinators.measures import (
    ONS4,
    SWEMWBS,
    MeasureAnswersInvalid,
    enabled_instruments,
    ons4_band,
    score,
)

PUBLISHED_SWEMWBS = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
    14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59",
    21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11",
    28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55",
    35: "35.00",
}  # fmt: skip


def _swemwbs_answers_totalling(raw: int) -> dict[str, int]:
    """Spread a raw total over the seven items (each 1–5)."""
    answers, remaining = {}, raw
    for index, item in enumerate(SWEMWBS.items):
        items_left = len(SWEMWBS.items) - index - 1
        value = min(5, remaining - items_left)
        answers[item.key] = value
        remaining -= value
    return answers


@pytest.mark.parametrize(("raw", "metric"), sorted(PUBLISHED_SWEMWBS.items()))
def test_swemwbs_raw_score_converts_to_the_published_metric(raw, metric):
    result = score("swemwbs", _swemwbs_answers_totalling(raw))
    assert result.raw_total == raw
    assert result.metric_score == Decimal(metric)


@pytest.mark.parametrize(
    ("item", "value", "band"),
    [
        ("life_satisfaction", 0, "low"), ("life_satisfaction", 4, "low"),
        ("life_satisfaction", 5, "medium"), ("worthwhile", 6, "medium"),
        ("worthwhile", 7, "high"), ("happiness", 8, "high"),
        ("happiness", 9, "very high"), ("happiness", 10, "very high"),
        ("anxiety", 0, "very low"), ("anxiety", 1, "very low"), ("anxiety", 2, "low"),
        ("anxiety", 3, "low"), ("anxiety", 4, "medium"), ("anxiety", 5, "medium"),
        ("anxiety", 6, "high"), ("anxiety", 10, "high"),
    ],
)  # fmt: skip
def test_ons4_bands_follow_the_ons_thresholds(item, value, band):
    assert ons4_band(item, value) == band


def test_ons4_scores_each_question_with_its_band():
    result = score(
        "ons4", {"life_satisfaction": "7", "worthwhile": 5, "happiness": 9, "anxiety": 6}
    )
    assert result.answers == {"life_satisfaction": 7, "worthwhile": 5, "happiness": 9, "anxiety": 6}
    assert result.bands == {
        "life_satisfaction": "high", "worthwhile": "medium", "happiness": "very high",
        "anxiety": "high",
    }  # fmt: skip
    assert result.metric_score is None


@pytest.mark.parametrize(
    ("instrument", "change", "expected"),
    [
        ("ons4", {"anxiety": None}, {"anxiety": "Answer this question."}),
        ("ons4", {"anxiety": 11}, {"anxiety": "Answer with a number from 0 to 10."}),
        ("ons4", {"happiness": -1}, {"happiness": "Answer with a number from 0 to 10."}),
        ("ons4", {"happiness": "seven"}, {"happiness": "Answer with a whole number."}),
        ("ons4", {"happiness": 7.5}, {"happiness": "Answer with a whole number."}),
        ("ons4", {"happiness": True}, {"happiness": "Answer with a number."}),
        ("swemwbs", {"useful": 0}, {"useful": "Answer with a number from 1 to 5."}),
        ("swemwbs", {"useful": 6}, {"useful": "Answer with a number from 1 to 5."}),
        (
            "swemwbs",
            {"mood": 3},
            {
                "mood": "Short Warwick-Edinburgh Mental Wellbeing Scale "
                "(SWEMWBS) has no question called 'mood'."
            },
        ),
    ],
)
def test_incomplete_or_out_of_range_answers_are_rejected_per_question(instrument, change, expected):
    base = (
        {item.key: 5 for item in ONS4.items}
        if instrument == "ons4"
        else _swemwbs_answers_totalling(21)
    )
    answers = {key: value for key, value in {**base, **change}.items() if value is not None}
    with pytest.raises(MeasureAnswersInvalid) as caught:
        score(instrument, answers)
    assert caught.value.errors == expected


def test_an_instrument_switched_off_in_settings_cannot_be_used(settings):
    settings.WELLBEING_INSTRUMENTS = ["ons4"]
    assert enabled_instruments() == [ONS4]
    with pytest.raises(MeasureAnswersInvalid, match="not in use"):
        score("swemwbs", _swemwbs_answers_totalling(21))


def test_each_instrument_carries_its_copyright_line():
    assert "University of Warwick" in SWEMWBS.copyright
    assert "Office for National Statistics" in ONS4.copyright
