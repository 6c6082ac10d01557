"""Every form in the app names the field in each error message (issue 19, item 1): no bare
"This field is required." for anyone to guess at."""

import copy
import importlib
import inspect
import pkgutil

import pytest
from django import forms

from common.forms import NamedErrorsMixin, name_field_errors

APPS = (
    "accounts",
    "casefinding",
    "common",
    "community_services",
    "coordinators",
    "gp_messages",
    "interop",
    "referrals",
    "reports",
)
SKIPPED_PARTS = {"migrations", "management", "tests"}
BARE_DEFAULTS = {
    "This field is required.",
    "Enter a valid value.",
    "Enter a valid date.",
    "Enter a valid email address.",
    "Enter a whole number.",
}


def _app_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if SKIPPED_PARTS & set(module.name.split(".")):
                continue
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending = list(forms.BaseForm.__subclasses__())
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.split(".")[0] in APPS and klass not in found:
            found.append(klass)
    return sorted(found, key=lambda klass: f"{klass.__module__}.{klass.__qualname__}")


APP_FORMS = [
    klass
    for klass in _app_forms()
    if not inspect.isabstract(klass) and klass.__module__ != "common.forms"
]


def test_the_walk_finds_the_forms_of_every_journey():
    names = {klass.__name__ for klass in APP_FORMS}
    assert {"ReferralForm", "DeclineForm", "CloseCaseForm", "ScheduleReviewForm"} <= names
    assert {"ServiceForm", "UploadForm", "RegisterClientForm"} <= names


@pytest.mark.parametrize("form_class", APP_FORMS, ids=lambda klass: klass.__qualname__)
def test_every_form_class_names_its_fields_in_its_errors(form_class):
    assert issubclass(form_class, NamedErrorsMixin), (
        f"{form_class.__module__}.{form_class.__qualname__} should build on common.forms.NHSForm"
    )
    for name, declared in form_class.base_fields.items():
        field = copy.deepcopy(declared)
        name_field_errors(field, name, owner=form_class.error_owner)
        shown = {str(message) for message in field.error_messages.values()}
        assert not shown & BARE_DEFAULTS, f"{form_class.__qualname__}.{name}: {shown}"


def _empty_form(form_class):
    try:
        return form_class(data={})
    except (TypeError, KeyError):  # needs its object or its user (allauth's take `user` from
        # kwargs): its class is checked above
        return None


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", APP_FORMS, ids=lambda klass: klass.__qualname__)
def test_an_empty_submission_of_every_form_names_each_field(form_class):
    form = _empty_form(form_class)
    if form is None:
        pytest.skip("needs constructor arguments")
    form.is_valid()
    for name, errors in form.errors.items():
        for message in errors:
            assert message not in BARE_DEFAULTS, f"{form_class.__qualname__}.{name}: {message}"
