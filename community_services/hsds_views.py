"""The public, read-only Open Referral HSDS 3.0 feed at /hsds/: every operation of the HSDS 3.0
API description, only referable services. Everything under /hsds/ answers JSON, errors too:
400 naming the parameter, 404 for an unknown id or route, 405 with Allow for another method.
What we answer beyond the description is written in hsds/openapi_overlay.json (served here).

A published directory tolerates a few seconds' lag: its searches read the replica when one is
configured (common.db_routing)."""

import json
import uuid
from collections.abc import Callable
from functools import wraps
from itertools import islice
from typing import Any

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from common.db_routing import replica_reads

from .hsds import (
    HSDS_OPENAPI_URL,
    HSDS_PROFILE_URL,
    HSDS_VERSION,
    TAXONOMIES,
    TAXONOMIES_BY_ID,
    TAXONOMY_TERMS,
    TERMS_BY_ID,
    minimal_service_document,
    organization_document,
    organization_list_document,
    page_document,
    selectors,
    service_at_location_full_document,
    service_at_location_list_document,
    service_document,
    service_list_document,
)
from .hsds import params as p
from .hsds.openapi import OVERLAY_PATH
from .selectors import postcode_centre

ALLOWED = "GET, HEAD, OPTIONS"
NDJSON_CHUNK = 500


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str, code: str, errors: dict | None = None) -> JsonResponse:
    body: dict[str, Any] = {"detail": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json(body, status=status)


def _not_found(what: str) -> JsonResponse:
    return _error(404, f"No published {what} has this id.", "not_found")


def feed_view(view: Callable) -> Callable:
    """GET and HEAD only (OPTIONS says so); a BadParameter becomes a 400 naming it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = response["Access-Control-Allow-Methods"] = ALLOWED
            response["Access-Control-Allow-Origin"] = "*"
            return response
        if request.method not in ("GET", "HEAD"):
            response = _error(
                405,
                f"{request.method} is not allowed: the feed is read-only.",
                "method_not_allowed",
            )
            response["Allow"] = ALLOWED
            return response
        try:
            p.single_values(request.GET)
            return view(request, *args, **kwargs)
        except p.BadParameter as exc:
            return _error(400, str(exc), "bad_parameter", {exc.name: [str(exc)]})

    # Read-only and cookie-free: no form to forge, and CSRF's refusal would be an HTML page.
    return csrf_exempt(wrapped)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def each(to_document: Callable) -> Callable[[list], list[dict]]:
    return lambda rows: [to_document(row) for row in rows]


def _listing(request, rows, to_documents: Callable[[list], list[dict]], *, paging=None):
    """A page in the HSDS envelope, or with format=ndjson every row, one document a line."""
    paging = paging or p.paging(request.GET)  # read (so checked) in either format
    if p.output_format(request.GET) == "ndjson":
        response = StreamingHttpResponse(_ndjson(rows, to_documents))
        response["Content-Type"] = "application/x-ndjson"
        response["Access-Control-Allow-Origin"] = "*"
        return response
    total = len(rows) if isinstance(rows, list) else rows.count()
    # A page past the end is empty without asking the database (nor overflowing its OFFSET).
    page = list(rows[paging.start : paging.start + paging.per_page]) if paging.start < total else []
    return _json(
        page_document(
            contents=to_documents(page),
            total_items=total,
            page_number=paging.page,
            size=paging.per_page,
        )
    )


def _ndjson(rows, to_documents: Callable[[list], list[dict]], chunk: int = NDJSON_CHUNK):
    """Every row, a chunk at a time (each chunk one query and its prefetches)."""
    items = iter(rows) if isinstance(rows, list) else rows.iterator(chunk_size=chunk)
    while batch := list(islice(items, chunk)):
        yield "".join(
            json.dumps(document, separators=(",", ":")) + "\n" for document in to_documents(batch)
        )


def _service_query(request) -> selectors.ServiceQuery:
    return selectors.ServiceQuery(
        search=request.GET.get("search", ""),
        taxonomy_term_id=p.identifier(request.GET, "taxonomy_term_id"),
        taxonomy_id=p.identifier(request.GET, "taxonomy_id"),
        organization_id=p.identifier(request.GET, "organization_id"),
        modified_after=p.modified_after(request.GET),
    )


@feed_view
def root(request):
    return _json(
        {
            "version": HSDS_VERSION,
            "profile": HSDS_PROFILE_URL,
            "openapi_url": HSDS_OPENAPI_URL,
            "openapi_overlay_url": request.build_absolute_uri("/hsds/openapi-overlay.json"),
        }
    )


@feed_view
def openapi_overlay(request):
    return _json(json.loads(OVERLAY_PATH.read_text()))


@feed_view
@replica_reads()
def services(request):
    query = _service_query(request)
    full, minimal = p.boolean(request.GET, "full"), p.boolean(request.GET, "minimal")
    if minimal:
        paging = p.paging(
            request.GET, default=p.MINIMAL_DEFAULT_PER_PAGE, maximum=p.MINIMAL_MAX_PER_PAGE
        )
        rows = selectors.published_services(query, minimal=True)
        return _listing(request, rows, each(minimal_service_document), paging=paging)
    rows = selectors.published_services(query, full=full)
    return _listing(request, rows, each(service_document if full else service_list_document))


@feed_view
@replica_reads()
def service_detail(request, service_id: str):
    public_id = _uuid(service_id)
    service = selectors.published_service(public_id) if public_id else None
    if service is None:
        return _not_found("service")
    return _json(service_document(service))


@feed_view
def taxonomies(request):
    rows = list(TAXONOMIES.values())
    if search := request.GET.get("search", "").strip().lower():
        rows = [t for t in rows if search in t.name.lower() or search in t.description.lower()]
    return _listing(request, rows, each(lambda taxonomy: taxonomy.document()))


@feed_view
def taxonomy_detail(request, taxonomy_id: str):
    taxonomy = TAXONOMIES_BY_ID.get(taxonomy_id)
    if taxonomy is None:
        return _not_found("taxonomy")
    return _json(taxonomy.document())


@feed_view
def taxonomy_terms(request):
    """Our terms are one level deep: every term is a top term, none has a parent."""
    p.boolean(request.GET, "top_only")
    terms = TAXONOMY_TERMS
    if search := request.GET.get("search", "").strip().lower():
        terms = [term for term in terms if search in term.name.lower()]
    if (taxonomy_id := p.identifier(request.GET, "taxonomy_id")) is not None:
        terms = [term for term in terms if TAXONOMIES[term.taxonomy].id == str(taxonomy_id)]
    if request.GET.get("parent_id", "").strip():
        terms = []
    return _listing(request, terms, each(lambda term: term.document()))


@feed_view
def taxonomy_term_detail(request, term_id: str):
    term = TERMS_BY_ID.get(term_id)
    if term is None:
        return _not_found("taxonomy term")
    return _json(term.document())


def _organization_documents(providers, *, full: bool, full_service: bool) -> list[dict]:
    if not (full or full_service):
        return [organization_list_document(provider) for provider in providers]
    services_by_provider = selectors.services_of(providers, full=full_service)
    to_service = service_document if full_service else service_list_document
    return [
        organization_document(
            provider, services=[to_service(s) for s in services_by_provider[provider.pk]]
        )
        for provider in providers
    ]


@feed_view
@replica_reads()
def organizations(request):
    full, full_service = p.boolean(request.GET, "full"), p.boolean(request.GET, "full_service")
    rows = selectors.published_organizations(search=request.GET.get("search", ""))
    return _listing(
        request,
        rows,
        lambda providers: _organization_documents(providers, full=full, full_service=full_service),
    )


@feed_view
@replica_reads()
def organization_detail(request, organization_id: str):
    full_service = p.boolean(request.GET, "full_service")
    public_id = _uuid(organization_id)
    provider = selectors.published_organization(public_id) if public_id else None
    if provider is None:
        return _not_found("organization")
    (document,) = _organization_documents([provider], full=True, full_service=full_service)
    return _json(document)


@feed_view
@replica_reads()
def service_at_locations(request):
    query = _service_query(request)
    full = p.boolean(request.GET, "full")
    postcode, proximity = p.postcode(request.GET), p.proximity(request.GET)
    near = None
    if postcode:
        centre = postcode_centre(postcode)
        if centre is None:
            return _listing(request, [], each(service_at_location_list_document))
        near = selectors.Near(float(centre.latitude), float(centre.longitude), proximity)
    rows = selectors.published_service_at_locations(query, near=near, full=full)
    to_document = service_at_location_full_document if full else service_at_location_list_document
    return _listing(request, rows, each(to_document))


@feed_view
@replica_reads()
def service_at_location_detail(request, service_at_location_id: str):
    public_id = _uuid(service_at_location_id)
    location = selectors.published_service_at_location(public_id) if public_id else None
    if location is None:
        return _not_found("service at location")
    return _json(service_at_location_full_document(location))


@csrf_exempt
def not_found(request, unknown: str = ""):
    """Any other path under /hsds/: JSON, never Django's HTML page."""
    return _error(404, "There is no such HSDS resource: see /hsds/.", "not_found")


app_name = "hsds"
urlpatterns = [
    path("", root, name="root"),
    path("openapi-overlay.json", openapi_overlay, name="openapi-overlay"),
    path("services", services, name="services"),
    path("services/<str:service_id>", service_detail, name="service"),
    path("taxonomies", taxonomies, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", taxonomy_terms, name="taxonomy-terms"),
    path("taxonomy_terms/<str:term_id>", taxonomy_term_detail, name="taxonomy-term"),
    path("organizations", organizations, name="organizations"),
    path("organizations/<str:organization_id>", organization_detail, name="organization"),
    path("service_at_locations", service_at_locations, name="service-at-locations"),
    path(
        "service_at_locations/<str:service_at_location_id>",
        service_at_location_detail,
        name="service-at-location",
    ),
    re_path(r"^(?P<unknown>.*)$", not_found, name="not-found"),
]
