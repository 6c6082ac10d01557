"""The casework as FHIR: the patient's goals (Goal) and wellbeing measures (Observation), read
and searched by patient, scoped like the Task (the referring practice and the team), each read
audited as a view of the referral."""

from common.db_routing import replica_reads
from referrals.services import record_referral_list_viewed, record_referral_viewed

from ..codes import our_code_system
from ..outcome import FhirError
from ..resources.bundle import searchset
from ..resources.code_systems import WellbeingCode
from ..resources.goal import goal_resource
from ..resources.observation import observation_resource
from ..selectors import get_goal, get_measure, goals_visible_to, measures_visible_to
from .base import FhirView, fhir_response
from .paging import check_parameters, next_page_url, page_of

GOAL_PARAMETERS = {"patient", "subject", "_count", "_page", "_format"}
OBSERVATION_PARAMETERS = GOAL_PARAMETERS | {"code"}
INSTRUMENT_CODES = {WellbeingCode.ONS4.value, WellbeingCode.SWEMWBS.value}


def _patient(request) -> int | None:
    values = [request.GET[name] for name in ("patient", "subject") if request.GET.get(name)]
    if not values:
        return None
    key = values[0].removeprefix("Patient/")
    if not key.isdigit():
        raise FhirError.one(400, "patient must be Patient/<id>.", "patient")
    return int(key)


def _instrument(request) -> str | None:
    value = request.GET.get("code")
    if not value:
        return None
    system, _, code = value.rpartition("|")
    if system not in ("", our_code_system("wellbeing-measures")) or code not in INSTRUMENT_CODES:
        raise FhirError.one(
            400,
            f"code must be one of {', '.join(sorted(INSTRUMENT_CODES))} of "
            f"{our_code_system('wellbeing-measures')}.",
            "code",
        )
    return code


def _bundle(request, page, resources: list[dict], path: str, parameters: set[str]) -> dict:
    return searchset(
        base=request.build_absolute_uri("/fhir/R4"),
        resources=resources,
        self_url=request.build_absolute_uri(),
        next_url=next_page_url(request, page, path, parameters),
        total=page.paginator.count,
    )


class GoalSearch(FhirView):
    @replica_reads()
    def get(self, request, caller):
        caller.require("Goal", "s")
        check_parameters(request, GOAL_PARAMETERS)
        page = page_of(request, goals_visible_to(caller.user, patient_id=_patient(request)))
        goals = list(page)
        record_referral_list_viewed(
            by=caller.user, what="fhir Goal search", referrals=[g.referral for g in goals]
        )
        resources = [goal_resource(goal) for goal in goals]
        return fhir_response(_bundle(request, page, resources, "/fhir/R4/Goal", GOAL_PARAMETERS))


class GoalRead(FhirView):
    def get(self, request, caller, goal_id: str):
        caller.require("Goal", "r")
        goal = get_goal(caller.user, goal_id)
        record_referral_viewed(referral=goal.referral, by=caller.user, via="fhir goal")
        return fhir_response(goal_resource(goal))


class ObservationSearch(FhirView):
    @replica_reads()
    def get(self, request, caller):
        caller.require("Observation", "s")
        check_parameters(request, OBSERVATION_PARAMETERS)
        measures = measures_visible_to(
            caller.user, patient_id=_patient(request), instrument=_instrument(request)
        )
        page = page_of(request, measures)
        rows = list(page)
        record_referral_list_viewed(
            by=caller.user, what="fhir Observation search", referrals=[m.referral for m in rows]
        )
        resources = [observation_resource(measure) for measure in rows]
        return fhir_response(
            _bundle(request, page, resources, "/fhir/R4/Observation", OBSERVATION_PARAMETERS)
        )


class ObservationRead(FhirView):
    def get(self, request, caller, observation_id: str):
        caller.require("Observation", "r")
        measure = get_measure(caller.user, observation_id)
        record_referral_viewed(referral=measure.referral, by=caller.user, via="fhir observation")
        return fhir_response(observation_resource(measure))
