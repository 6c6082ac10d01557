"""Observation: one wellbeing measure as recorded (ONS4: each item; SWEMWBS: raw and metric
scores) as components, coded in our CodeSystem wellbeing-measures, category `survey`. Where
SWEMWBS is shown its copyright line goes with it (coordinators.measures)."""

from coordinators.measures import INSTRUMENTS
from coordinators.models import MeasureOccasion, WellbeingMeasure

from .code_systems import WellbeingCode, coding
from .common import instant, meta, organisation_reference

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _component(code: str, **value) -> dict:
    return {"code": {"coding": [coding("wellbeing-measures", code)]}, **value}


def observation_resource(measure: WellbeingMeasure) -> dict:
    """Needs the measure's referral and its team."""
    referral, instrument = measure.referral, INSTRUMENTS[measure.instrument]
    if measure.instrument == WellbeingCode.SWEMWBS:
        components = [_component(WellbeingCode.SWEMWBS_RAW, valueInteger=measure.raw_total)]
        if measure.metric_score is not None:
            components.append(
                _component(
                    WellbeingCode.SWEMWBS_METRIC,
                    valueQuantity={"value": float(measure.metric_score)},
                )
            )
    else:
        components = [
            {
                **_component(f"{measure.instrument}-{item.key}", valueInteger=value),
                **(
                    {"interpretation": [{"text": measure.bands[item.key]}]}
                    if item.key in (measure.bands or {})
                    else {}
                ),
            }
            for item in instrument.items
            if (value := measure.answers.get(item.key)) is not None
        ]
    return {
        "resourceType": "Observation",
        "id": str(measure.pk),
        "meta": meta(measure.recorded_at),
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": [coding("wellbeing-measures", measure.instrument)]},
        "subject": {"reference": f"Patient/{referral.patient_id}"},
        "basedOn": [{"reference": f"ServiceRequest/{referral.reference}"}],
        "effectiveDateTime": measure.taken_on.isoformat(),
        "issued": instant(measure.recorded_at),
        "performer": [organisation_reference(referral.team)],
        "component": components,
        "note": [
            {"text": f"{MeasureOccasion(measure.occasion).label} measure. {instrument.copyright}"}
        ],
    }
