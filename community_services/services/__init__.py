"""Writes to the directory, one module per topic; every public name is re-exported here.

- providers: the organisations that run services
- service_content: what a service says about itself, and its search index
- vetting: the vetting state machine (submit, approve, reject, suspend, reinstate, expire)
- hsds_import: loading Open Referral HSDS documents
- sweeps: the vetters' reminders
- postcodes: the postcode lookup (centres from the ONS Postcode Directory)
"""

from .hsds_import import import_hsds_service
from .postcodes import store_postcodes
from .provider_listing import LISTING_FIELDS, is_provider_of, update_availability
from .providers import PROVIDER_FIELDS, PROVIDER_OBJECT_TYPE, create_provider, update_provider
from .service_content import (
    LOCATION_FIELDS,
    MATERIAL_FIELDS,
    SCHEDULE_FIELDS,
    SERVICE_FIELDS,
    SERVICE_OBJECT_TYPE,
    create_service,
    update_service,
)
from .sweeps import sweep_vetting_expired, sweep_vetting_expiring
from .vetting import (
    VETTING_PERIOD_MONTHS,
    FourEyesViolation,
    IllegalVettingTransition,
    VettingInputError,
    approve_service,
    default_vetted_until,
    expire_lapsed_vettings,
    expire_service,
    may_approve,
    may_renew_vetting,
    reinstate_service,
    reject_service,
    renew_vetting,
    renewal_window_opens,
    submit_service,
    suspend_service,
)

__all__ = [
    "LOCATION_FIELDS",
    "MATERIAL_FIELDS",
    "PROVIDER_FIELDS",
    "PROVIDER_OBJECT_TYPE",
    "SCHEDULE_FIELDS",
    "SERVICE_FIELDS",
    "SERVICE_OBJECT_TYPE",
    "VETTING_PERIOD_MONTHS",
    "LISTING_FIELDS",
    "FourEyesViolation",
    "IllegalVettingTransition",
    "VettingInputError",
    "approve_service",
    "create_provider",
    "create_service",
    "default_vetted_until",
    "expire_lapsed_vettings",
    "expire_service",
    "import_hsds_service",
    "is_provider_of",
    "update_availability",
    "may_approve",
    "may_renew_vetting",
    "renew_vetting",
    "renewal_window_opens",
    "reinstate_service",
    "store_postcodes",
    "reject_service",
    "submit_service",
    "suspend_service",
    "sweep_vetting_expired",
    "sweep_vetting_expiring",
    "update_provider",
    "update_service",
]
