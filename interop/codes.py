"""The code systems and identifier systems the FHIR interface uses, each with its source.

Published codes are used only where they can be cited; everything else is a CodeSystem of ours
whose canonical URL is served by this server (see resources/code_systems.py)."""

from django.conf import settings

FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"

# UK Core identifier systems (NHS England, https://simplifier.net/hl7fhirukcorer4).
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"

SNOMED = "http://snomed.info/sct"
# SNOMED CT UK edition 871731000000106 |Referral to social prescribing service|: the
# ServiceRequest's code. No other SNOMED CT or LOINC code is used without a citation.
REFERRAL_TO_SOCIAL_PRESCRIBING = {
    "system": SNOMED,
    "code": "871731000000106",
    "display": "Referral to social prescribing service",
}

# HL7 core: Task.code "fulfill" (http://hl7.org/fhir/CodeSystem/task-code).
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"

# HL7 SDOH Clinical Care (Gravity) STU 3: profiles and its SDOH category code system
# (SDOHCC-CodeSystemTemporaryCodes, the codes of SDOHCC-ValueSetSDOHCategory).
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
SDOHCC_TASK_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-TaskForReferralManagement"
SDOHCC_SERVICE_REQUEST_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-ServiceRequest"
SDOHCC_CATEGORY_SYSTEM = f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SDOHCC_CAPACITY_EXTENSION = (
    f"{SDOHCC}/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus"
)

# SDOHCC capacity status codes (SDOHCC-ValueSetCapacityStatus, extensible: our own code rides
# beside it). A paused service is not referable, so "no-capacity" is never served today.
SDOHCC_CAPACITY_OF = {
    "accepting": ("capacity", "Capacity"),
    "waiting_list": ("no-capacity-has-waitlist", "No Capacity - Has Waitlist"),
    "paused": ("no-capacity", "No Capacity"),
}

# UK Core (HL7 UK) profiles of the directory's resources.
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition"
UK_CORE_HEALTHCARE_SERVICE = f"{UK_CORE}/UKCore-HealthcareService"
UK_CORE_LOCATION = f"{UK_CORE}/UKCore-Location"
UK_CORE_ORGANIZATION = f"{UK_CORE}/UKCore-Organization"
# Who asked for a referral (the type of source, not its identity): CodeableConcept, preferred
# binding to a SNOMED CT value set; ours is coded from our referral-sources CodeSystem.
UK_CORE_SOURCE_OF_SERVICE_REQUEST = f"{UK_CORE}/Extension-UKCore-SourceOfServiceRequest"
SDOHCC_GOAL_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-Goal"

# Our need domains → the SDOHCC category, only where one fits; the rest have none.
SDOHCC_CATEGORY_OF_NEED = {
    "loneliness": ("social-connection", "Social Connection"),
    "mental_wellbeing": ("stress", "Stress"),
    "money_and_debt": ("financial-insecurity", "Financial Insecurity"),
    "benefits": ("financial-insecurity", "Financial Insecurity"),
    "housing": ("housing-instability", "Housing Instability"),
    "employment_and_skills": ("employment-status", "Employment Status"),
}


def sdohcc_category(need_domain: str) -> dict | None:
    """The SDOHCC category coding of one of our need domains, where one fits."""
    if need_domain not in SDOHCC_CATEGORY_OF_NEED:
        return None
    code, display = SDOHCC_CATEGORY_OF_NEED[need_domain]
    return {"system": SDOHCC_CATEGORY_SYSTEM, "code": code, "display": display}


def fhir_base() -> str:
    """This server's FHIR base, absolute: canonical URLs of our CodeSystems live under it."""
    return f"{settings.SITE_URL}/fhir/R4"


def our_code_system(name: str) -> str:
    return f"{fhir_base()}/CodeSystem/{name}"
