"""The directory as FHIR: HealthcareService, Location and Organization, read and search. Only
referable services, as a referrer sees them; searches page by `_count` and `_page`."""

from accounts.models import Organisation
from common.db_routing import replica_reads
from community_services.geography import BadPostcode, normalise_postcode
from community_services.hsds.selectors import Near
from community_services.need_domains import NeedDomain
from community_services.selectors import postcode_centre

from ..codes import SDOHCC_CATEGORY_OF_NEED, SDOHCC_CATEGORY_SYSTEM, our_code_system
from ..directory_selectors import (
    DirectorySearch,
    directory_organisations,
    get_directory_organisation,
    get_referable_location,
    get_referable_service,
    referable_locations,
    referable_services,
)
from ..outcome import FhirError
from ..resources.bundle import searchset
from ..resources.healthcare_service import healthcare_service_resource
from ..resources.location import location_resource
from ..resources.organization import organization_resource, provider_organization_resource
from ..selectors import get_organisation
from .base import FhirView, fhir_response
from .paging import check_parameters, next_page_url, page_of

COMMON = {"_count", "_page", "_format"}
SERVICE_PARAMETERS = COMMON | {"name", "service-category", "near-postcode", "near-distance"}
LOCATION_PARAMETERS = COMMON | {"name", "near-postcode", "near-distance"}
ORGANIZATION_PARAMETERS = COMMON | {"name"}
DEFAULT_DISTANCE_KM = 10.0
MAX_DISTANCE_KM = 200.0


def _need_domains(value: str) -> tuple[str, ...]:
    """`service-category`: our need-domain code, or an SDOHCC category (each need it covers),
    each optionally as system|code; a comma means any of them."""
    found: list[str] = []
    for token in value.split(","):
        system, _, code = token.rpartition("|")
        if system in ("", our_code_system("need-domains")) and code in NeedDomain.values:
            found.append(code)
        elif system in ("", SDOHCC_CATEGORY_SYSTEM) and any(
            theirs == code for theirs, _ in SDOHCC_CATEGORY_OF_NEED.values()
        ):
            found += [
                ours for ours, (theirs, _) in SDOHCC_CATEGORY_OF_NEED.items() if theirs == code
            ]
        else:
            raise FhirError.one(
                400,
                f"service-category {token!r} is not a need domain of "
                f"{our_code_system('need-domains')} or an SDOHCC category.",
                "service-category",
            )
    return tuple(dict.fromkeys(found))


def _near(request) -> Near | None:
    raw = request.GET.get("near-postcode")
    if raw is None:
        if "near-distance" in request.GET:
            raise FhirError.one(400, "near-distance needs near-postcode.", "near-distance")
        return None
    try:
        postcode = normalise_postcode(raw)
    except BadPostcode:
        raise FhirError.one(
            400, "near-postcode must be a UK postcode such as NF1 1AB.", "near-postcode"
        ) from None
    centre = postcode_centre(postcode)
    if centre is None:
        raise FhirError.one(404, f"The postcode {postcode} is not known here.", "near-postcode")
    distance = request.GET.get("near-distance", str(DEFAULT_DISTANCE_KM))
    try:
        km = float(distance)
    except ValueError:
        km = -1.0
    if not 0 < km <= MAX_DISTANCE_KM:
        raise FhirError.one(
            400,
            f"near-distance must be kilometres, more than 0 and at most {MAX_DISTANCE_KM:g}.",
            "near-distance",
        )
    return Near(float(centre.latitude), float(centre.longitude), km * 1000)


def _search(request, parameters: set[str], *, categories: bool = True) -> DirectorySearch:
    check_parameters(request, parameters)
    return DirectorySearch(
        name=request.GET.get("name", ""),
        need_domains=_need_domains(request.GET["service-category"])
        if categories and request.GET.get("service-category")
        else (),
        near=_near(request),
    )


def _bundle(request, page, resources: list[dict], path: str, parameters: set[str]) -> dict:
    base = request.build_absolute_uri("/fhir/R4")
    return searchset(
        base=base,
        resources=resources,
        self_url=request.build_absolute_uri(),
        next_url=next_page_url(request, page, path, parameters),
        total=page.paginator.count,
    )


class HealthcareServiceSearch(FhirView):
    @replica_reads()
    def get(self, request, caller):
        caller.require("HealthcareService", "s")
        page = page_of(request, referable_services(_search(request, SERVICE_PARAMETERS)))
        resources = [healthcare_service_resource(service) for service in page]
        return fhir_response(
            _bundle(request, page, resources, "/fhir/R4/HealthcareService", SERVICE_PARAMETERS)
        )


class HealthcareServiceRead(FhirView):
    def get(self, request, caller, service_id: str):
        caller.require("HealthcareService", "r")
        return fhir_response(healthcare_service_resource(get_referable_service(service_id)))


class LocationSearch(FhirView):
    @replica_reads()
    def get(self, request, caller):
        caller.require("Location", "s")
        search = _search(request, LOCATION_PARAMETERS, categories=False)
        page = page_of(request, referable_locations(search))
        resources = [location_resource(location) for location in page]
        return fhir_response(
            _bundle(request, page, resources, "/fhir/R4/Location", LOCATION_PARAMETERS)
        )


class LocationRead(FhirView):
    def get(self, request, caller, location_id: str):
        caller.require("Location", "r")
        return fhir_response(location_resource(get_referable_location(location_id)))


class OrganizationSearch(FhirView):
    """The directory's organisations: those running a referable service."""

    @replica_reads()
    def get(self, request, caller):
        caller.require("Organization", "s")
        check_parameters(request, ORGANIZATION_PARAMETERS)
        page = page_of(request, directory_organisations(name=request.GET.get("name", "")))
        resources = [provider_organization_resource(provider) for provider in page]
        return fhir_response(
            _bundle(request, page, resources, "/fhir/R4/Organization", ORGANIZATION_PARAMETERS)
        )


class OrganizationRead(FhirView):
    """A practice, team or provider of ours (what a Task names), or a directory organisation
    (what a HealthcareService names)."""

    def get(self, request, caller, organisation_id: str):
        caller.require("Organization", "r")
        provider = get_directory_organisation(organisation_id)
        if provider is not None:
            return fhir_response(provider_organization_resource(provider))
        organisation: Organisation = get_organisation(organisation_id)
        return fhir_response(organization_resource(organisation))
