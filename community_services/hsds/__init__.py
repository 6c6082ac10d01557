"""Open Referral HSDS 3.0: our directory as HSDS documents, and HSDS documents back into it.

Ids HSDS needs for things we keep as plain fields (a service's phone, its languages, an address)
are derived with uuid5 from the owning record's id, so they are stable across exports and an
export → import → export round trip gives the same documents.

- taxonomy: the need-domain and delivery-mode terms
- documents: organizations, services, schedules, services at locations and pages as HSDS
  documents (the /hsds/ feed)
- params: the feed's query parameters read, or a 400 naming the parameter
- feed: the feed's reads (only referable services)
- parsing: a compiled HSDS service document back into our fields (the import)
"""

from .documents import (
    CHARITY_SCHEME,
    COMPANY_SCHEME,
    HSDS_OPENAPI_URL,
    HSDS_PROFILE_URL,
    HSDS_VERSION,
    derived_id,
    minimal_service_document,
    organization_document,
    organization_list_document,
    page_document,
    schedule_document,
    service_at_location_full_document,
    service_at_location_list_document,
    service_document,
    service_list_document,
)
from .parsing import HSDSRecordError, ParsedService, parse_service_document, record_id
from .taxonomy import (
    DELIVERY_MODE_TAXONOMY,
    NEED_DOMAIN_TAXONOMY,
    TAXONOMIES,
    TAXONOMIES_BY_ID,
    TAXONOMY_TERMS,
    TERMS_BY_CODE,
    TERMS_BY_ID,
    Taxonomy,
    TaxonomyTerm,
)

__all__ = [
    "CHARITY_SCHEME",
    "COMPANY_SCHEME",
    "DELIVERY_MODE_TAXONOMY",
    "HSDS_OPENAPI_URL",
    "HSDS_PROFILE_URL",
    "HSDS_VERSION",
    "NEED_DOMAIN_TAXONOMY",
    "TAXONOMIES",
    "TAXONOMIES_BY_ID",
    "TAXONOMY_TERMS",
    "TERMS_BY_CODE",
    "TERMS_BY_ID",
    "HSDSRecordError",
    "ParsedService",
    "Taxonomy",
    "TaxonomyTerm",
    "derived_id",
    "minimal_service_document",
    "organization_document",
    "organization_list_document",
    "page_document",
    "parse_service_document",
    "record_id",
    "schedule_document",
    "service_at_location_full_document",
    "service_at_location_list_document",
    "service_document",
    "service_list_document",
]
