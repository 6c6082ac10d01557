"""Task: read, search (paged, `next`), and the requester's cancellation by PUT or JSON Patch."""

import copy
import datetime
import uuid
from urllib.parse import urlencode

from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Role
from common.db_routing import replica_reads
from referrals.services import (
    record_referral_list_viewed,
    record_referral_viewed,
    record_service_referral_list_viewed,
    record_service_referral_viewed,
)

from .. import services
from ..codes import fhir_base
from ..outcome import FhirError
from ..resources.bundle import searchset
from ..resources.onward_task import (
    ONWARD_PREFIX,
    ONWARD_TASK_STATUS,
    onward_task_resource,
    provider_answer,
)
from ..resources.service_request import service_request_resource
from ..resources.task import requested_cancellation, task_resource
from ..selectors import (
    after_cursor,
    decode_cursor,
    encode_cursor,
    encode_position,
    get_onward_task,
    get_task,
    messages_back_of,
    onward_after_cursor,
    onward_tasks_visible_to,
    tasks_visible_to,
)
from ..task_status import TASK_STATUS, referrals_with_task_status
from .base import FhirView, fhir_response, read_json_body
from .json_patch import apply_patch
from .paging import count_of

SEARCH_PARAMETERS = {
    "_id",
    "_lastUpdated",
    "requester",
    "owner",
    "status",
    "_include",
    "_count",
    "_cursor",
    "_format",
}
KNOWN_TASK_STATUSES = {theirs for theirs, _ in TASK_STATUS.values()} | {"failed"}
COMPARATORS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte", "eq": None}


def _task(referral, messages_back=None) -> dict:
    if messages_back is None:
        messages_back = messages_back_of([referral])[referral.pk]
    return task_resource(referral, getattr(referral, "last_note", "") or "", messages_back)


def _instant(value: str) -> datetime.datetime:
    when = parse_datetime(value)
    if when is None and (day := parse_date(value)) is not None:
        when = datetime.datetime.combine(day, datetime.time())
    if when is None:
        raise FhirError.one(
            400, f"_lastUpdated {value!r} is not a date or instant.", "_lastUpdated"
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def _organisation_id(value: str, parameter: str) -> str:
    key = value.removeprefix(f"{fhir_base()}/").removeprefix("Organization/")
    if "/" in key or not key:
        raise FhirError.one(400, f"{parameter} must be Organization/<id>.", parameter)
    return key


def _filtered(request, referrals):
    strict = "handling=strict" in request.headers.get("Prefer", "")
    for parameter in request.GET:
        if strict and parameter not in SEARCH_PARAMETERS:
            raise FhirError.one(400, f"Task search has no parameter {parameter!r}.", parameter)
    if ids := request.GET.get("_id"):
        referrals = referrals.filter(reference__in=ids.split(","))
    if value := request.GET.get("requester"):
        referrals = referrals.filter(
            referring_practice__public_id=_uuid(_organisation_id(value, "requester"), "requester")
        )
    if value := request.GET.get("owner"):
        referrals = referrals.filter(
            team__public_id=_uuid(_organisation_id(value, "owner"), "owner")
        )
    if value := request.GET.get("status"):
        wanted = value.split(",")
        unknown = [code for code in wanted if code not in KNOWN_TASK_STATUSES]
        if unknown:
            raise FhirError.one(400, f"Unknown Task status {unknown[0]!r}.", "status")
        matched = referrals_with_task_status(wanted[0])
        for code in wanted[1:]:
            matched |= referrals_with_task_status(code)
        referrals = referrals.filter(matched)
    for value in request.GET.getlist("_lastUpdated"):
        prefix, rest = value[:2], value[2:]
        if prefix not in COMPARATORS or not rest:
            prefix, rest = "eq", value
        lookup = COMPARATORS[prefix]
        when = _instant(rest)
        referrals = (
            referrals.filter(**{f"updated_at__{lookup}": when})
            if lookup
            else referrals.filter(updated_at=when)
        )
    return referrals


def _uuid(value: str, parameter: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise FhirError.one(400, f"{parameter} names no Organization.", parameter) from None


def _onward_search(request, caller, count: int):
    """A provider's Tasks are its onward referrals: `owner=` its organisation, `status=`."""
    service_referrals = onward_tasks_visible_to(caller.user).filter(
        service__provider__organisation_id__in=[
            m.organisation_id for m in caller.user.cached_memberships
        ]
    )
    if value := request.GET.get("owner"):
        organisation_id = _uuid(_organisation_id(value, "owner"), "owner")
        service_referrals = service_referrals.filter(
            service__provider__organisation__public_id=organisation_id
        )
    if value := request.GET.get("status"):
        wanted = value.split(",")
        ours = [s for s, theirs in ONWARD_TASK_STATUS.items() if theirs in wanted]
        service_referrals = service_referrals.filter(status__in=ours)
    service_referrals = service_referrals.order_by("-sent_at", "-id")
    if cursor_text := request.GET.get("_cursor"):
        cursor = decode_cursor(cursor_text)
        if cursor is None:
            raise FhirError.one(400, "_cursor is not one this server gave.", "_cursor")
        service_referrals = onward_after_cursor(service_referrals, cursor)
    page = list(service_referrals[: count + 1])
    more, page = len(page) > count, page[:count]
    record_service_referral_list_viewed(
        by=caller.user, what="fhir onward Task search", service_referrals=page
    )
    base = request.build_absolute_uri("/fhir/R4")
    next_url = None
    if more:
        query = {k: v for k, v in request.GET.lists() if k in SEARCH_PARAMETERS and k != "_cursor"}
        query["_cursor"] = [encode_position(page[-1].sent_at, page[-1].pk)]
        next_url = f"{base}/Task?{urlencode(query, doseq=True)}"
    return fhir_response(
        searchset(
            base=base,
            resources=[onward_task_resource(sr) for sr in page],
            self_url=f"{base}/Task?{request.GET.urlencode()}",
            next_url=next_url,
        )
    )


class TaskSearch(FhirView):
    @replica_reads()
    def get(self, request, caller):
        caller.require("Task", "s")
        if caller.user.has_role(Role.PROVIDER):
            return _onward_search(request, caller, count_of(request))
        include = request.GET.getlist("_include")
        if any(value != "Task:focus" for value in include):
            raise FhirError.one(400, "Only _include=Task:focus is supported.", "_include")
        count = count_of(request)
        referrals = _filtered(request, tasks_visible_to(caller.user)).order_by("updated_at", "id")
        if cursor_text := request.GET.get("_cursor"):
            cursor = decode_cursor(cursor_text)
            if cursor is None:
                raise FhirError.one(400, "_cursor is not one this server gave.", "_cursor")
            referrals = after_cursor(referrals, cursor)
        page = list(referrals[: count + 1])
        more, page = len(page) > count, page[:count]
        record_referral_list_viewed(by=caller.user, what="fhir Task search", referrals=page)
        outputs = messages_back_of(page)
        base = request.build_absolute_uri("/fhir/R4")
        next_url = None
        if more:
            query = {
                k: v for k, v in request.GET.lists() if k in SEARCH_PARAMETERS and k != "_cursor"
            }
            query["_cursor"] = [encode_cursor(page[-1])]
            next_url = f"{base}/Task?{urlencode(query, doseq=True)}"
        included = (
            [service_request_resource(r, getattr(r, "fhir_identifier", None)) for r in page]
            if include
            else []
        )
        return fhir_response(
            searchset(
                base=base,
                resources=[_task(r, outputs[r.pk]) for r in page],
                self_url=f"{base}/Task?{request.GET.urlencode()}",
                next_url=next_url,
                included=included,
            )
        )


class TaskInstance(FhirView):
    def get(self, request, caller, reference: str):
        caller.require("Task", "r")
        if reference.startswith(ONWARD_PREFIX):
            service_referral = get_onward_task(caller.user, reference)
            record_service_referral_viewed(
                service_referral=service_referral, by=caller.user, via="fhir"
            )
            return fhir_response(onward_task_resource(service_referral))
        referral = get_task(caller.user, reference)
        record_referral_viewed(referral=referral, by=caller.user, via="fhir")
        task = _task(referral)
        return fhir_response(task, headers={"ETag": f'W/"{task["meta"]["lastUpdated"]}"'})

    def put(self, request, caller, reference: str):
        return self._change(request, caller, reference, lambda current: read_json_body(request))

    def patch(self, request, caller, reference: str):
        def patched(current):
            if request.content_type != "application/json-patch+json":
                raise FhirError.one(415, "PATCH takes a JSON Patch (application/json-patch+json).")
            return apply_patch(copy.deepcopy(current), read_json_body(request, patch=True))

        return self._change(request, caller, reference, patched)

    def _change(self, request, caller, reference, wanted_of):
        caller.require("Task", "u")
        if reference.startswith(ONWARD_PREFIX):
            return self._provider_change(caller, reference, wanted_of)
        referral = get_task(caller.user, reference)
        current = _task(referral)
        if referral.referring_practice_id not in {
            m.organisation_id for m in caller.user.cached_memberships
        }:
            raise FhirError.one(403, "Only the requester may change this Task.", code="forbidden")
        if_match = request.headers.get("If-Match")
        if if_match and if_match.strip('W/"') != current["meta"]["lastUpdated"]:
            raise FhirError.one(412, "The Task changed since you read it.", "Task.meta")
        reason = requested_cancellation(current, wanted_of(current))
        services.cancel_by_requester(referral=referral, by=caller.user, reason=reason)
        return fhir_response(_task(get_task(caller.user, reference)))

    def _provider_change(self, caller, reference, wanted_of):
        """Only the provider of the service answers, as on its signed link."""
        service_referral = get_onward_task(caller.user, reference, as_provider=True)
        current = onward_task_resource(service_referral)
        action, reason, note = provider_answer(current, wanted_of(current))
        services.answer_as_provider(
            service_referral=service_referral,
            by=caller.user,
            action=action,
            reason=reason,
            note=note,
        )
        return fhir_response(onward_task_resource(get_onward_task(caller.user, reference)))
