"""Goal (SDOHCC Goal): a patient's goal in their own words, its need domain as the category
(ours, and the SDOHCC category where one fits), and where it stands."""

from coordinators.models import Goal, GoalStatus

from ..codes import SDOHCC_GOAL_PROFILE
from .code_systems import coding
from .common import meta
from .healthcare_service import need_domain_category

GOAL_ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
GOAL_PRIORITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-priority"

# GoalStatus → Goal.lifecycleStatus (required binding), and the HL7 achievement code where one
# means the same (partly achieved and no longer relevant have none: ours alone says it).
LIFECYCLE_STATUS = {
    GoalStatus.ACTIVE: "active",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.PARTLY_ACHIEVED: "completed",
    GoalStatus.NOT_ACHIEVED: "completed",
    GoalStatus.NO_LONGER_RELEVANT: "cancelled",
}
ACHIEVEMENT = {
    GoalStatus.ACTIVE: ("in-progress", "In Progress"),
    GoalStatus.ACHIEVED: ("achieved", "Achieved"),
    GoalStatus.NOT_ACHIEVED: ("not-achieved", "Not Achieved"),
}


def goal_resource(goal: Goal) -> dict:
    """Needs the goal's referral (for the patient and the ServiceRequest)."""
    referral = goal.referral
    achievement = [coding("goal-statuses", goal.status)]
    if goal.status in ACHIEVEMENT:
        code, display = ACHIEVEMENT[GoalStatus(goal.status)]
        achievement.insert(0, {"system": GOAL_ACHIEVEMENT_SYSTEM, "code": code, "display": display})
    changed = max(filter(None, (goal.created_at, goal.status_changed_at)))
    patient = {"reference": f"Patient/{referral.patient_id}"}
    resource: dict = {
        "resourceType": "Goal",
        "id": str(goal.pk),
        "meta": meta(changed, SDOHCC_GOAL_PROFILE),
        "lifecycleStatus": LIFECYCLE_STATUS[GoalStatus(goal.status)],
        "achievementStatus": {"coding": achievement, "text": goal.get_status_display()},
        "category": [need_domain_category(goal.need_domain)],
        "priority": {
            "coding": [
                {
                    "system": GOAL_PRIORITY_SYSTEM,
                    "code": f"{goal.priority}-priority",
                    "display": f"{goal.get_priority_display()} Priority",
                }
            ]
        },
        "description": {"text": goal.statement},
        "subject": patient,
        "startDate": goal.created_at.date().isoformat(),
        "expressedBy": patient,
        "addresses": [{"reference": f"ServiceRequest/{referral.reference}"}],
    }
    if goal.target_date:
        resource["target"] = [{"dueDate": goal.target_date.isoformat()}]
    if goal.status_changed_at:
        resource["statusDate"] = goal.status_changed_at.date().isoformat()
    return resource
