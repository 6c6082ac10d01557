"""Wellbeing measure forms: one measure's own page, and a measure taken along with a review or
at closing, each measure's questions in a fieldset under its name and scale."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from common.forms import NHSForm
from common.input_limits import validate_event_date
from common.nhs_dates import NHSDateField

from . import measures
from .models import MeasureOccasion
from .services import score_answers

NO_MEASURE = ""


def add_measure_fields(
    form: forms.Form, instrument: measures.Instrument, prefix: str, *, scale_on_each: bool = True
) -> list[str]:
    """One field per item; the scoring module, not the field, says what a valid answer is.
    The scale goes on each question, or (`scale_on_each=False`) once, on the measure's
    fieldset. Returns the fields' names."""
    choices = [("", "Choose")] + [
        (str(n), str(n)) for n in range(instrument.minimum, instrument.maximum + 1)
    ]
    scale = "; ".join(instrument.scale_labels) if scale_on_each else ""
    names = [f"{prefix}{item.key}" for item in instrument.items]
    for name, item in zip(names, instrument.items, strict=True):
        form.fields[name] = forms.ChoiceField(
            label=item.text, choices=choices, required=False, help_text=scale
        )
    return names


def clean_measure(form: forms.Form, instrument: measures.Instrument, prefix: str) -> dict:
    answers = {item.key: form.cleaned_data.get(f"{prefix}{item.key}") for item in instrument.items}
    try:
        return score_answers(instrument.code, answers).answers
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            name = f"{prefix}{key}" if f"{prefix}{key}" in form.fields else None
            for message in messages:
                form.add_error(name, message)
        return {}


class MeasureForm(NHSForm):
    """One instrument's questions (chosen in the address) and when they were asked."""

    occasion = forms.ChoiceField(
        label="When is this measure taken?",
        choices=[
            (MeasureOccasion.BASELINE, "Baseline, at the start"),
            (MeasureOccasion.REVIEW, "A repeat, during the support"),
        ],
        initial=MeasureOccasion.BASELINE,
        widget=forms.RadioSelect,
    )
    taken_on = NHSDateField(
        validators=[validate_event_date], label="Date answered", help_text="For example, 3 2 2026"
    )

    def __init__(self, *args, instrument: measures.Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        add_measure_fields(self, instrument, prefix="")

    def clean(self):
        data = super().clean()
        data["answers"] = clean_measure(self, self.instrument, prefix="")
        return data


# The mixin goes in front of a Form; the type checker is told so.
if TYPE_CHECKING:
    _FormBase = forms.Form
else:
    _FormBase = object


@dataclass(frozen=True)
class MeasureFieldset:
    """One measure's questions, rendered together under its name and scale."""

    instrument: measures.Instrument
    fields: list[forms.BoundField]

    @property
    def scale(self) -> str:
        return "; ".join(self.instrument.scale_labels)


class OptionalMeasureMixin(_FormBase):
    """A measure that may be taken along with a review or at closing: choose one, or none.
    Each measure's questions are a fieldset of their own (`layout`, read by the template)."""

    template_name = "coordinators/includes/measure_form.html"
    measure_groups: dict[str, measures.Instrument]

    def add_optional_measure(
        self, label: str, instruments: list[measures.Instrument] | None = None
    ) -> None:
        offered = measures.enabled_instruments() if instruments is None else instruments
        self.fields["measure_instrument"] = forms.ChoiceField(
            label=label,
            choices=[(NO_MEASURE, "No measure this time")] + [(i.code, i.name) for i in offered],
            required=False,
            widget=forms.RadioSelect,
        )
        self.measure_groups = {}
        for instrument in offered:
            for name in add_measure_fields(
                self, instrument, prefix=f"{instrument.code}_", scale_on_each=False
            ):
                self.measure_groups[name] = instrument

    @property
    def layout(self) -> list[forms.BoundField | MeasureFieldset]:
        """The visible fields in order, each measure's questions gathered into one fieldset."""
        rows: list[forms.BoundField | MeasureFieldset] = []
        groups: dict[str, MeasureFieldset] = {}
        for field in self.visible_fields():
            instrument = self.measure_groups.get(field.name)
            if instrument is None:
                rows.append(field)
            elif instrument.code in groups:
                groups[instrument.code].fields.append(field)
            else:
                groups[instrument.code] = MeasureFieldset(instrument, [field])
                rows.append(groups[instrument.code])
        return rows

    def optional_measure(self) -> dict | None:
        code = self.cleaned_data.get("measure_instrument")
        if not code:
            return None
        instrument = measures.INSTRUMENTS[code]
        answers = clean_measure(self, instrument, prefix=f"{code}_")
        return {"instrument": code, "answers": answers} if answers else None
