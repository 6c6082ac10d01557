"""Every form's error messages name their field, NHS.UK style ("Enter the patient's first name",
"Select how the patient was contacted", "Date of birth must be a real date"), derived once here
from each field's label and widget instead of Django's bare "This field is required." A message a
form sets itself is kept: only Django's own defaults are replaced."""

import copy
from typing import Any, ClassVar

from django import forms
from django.core import validators

# Django's defaults that a user would read without knowing which field they belong to.
_DJANGO_DEFAULT_VALIDATORS = (
    validators.EmailValidator,
    validators.URLValidator,
    validators.MaxLengthValidator,
    validators.MinLengthValidator,
    validators.MaxValueValidator,
    validators.MinValueValidator,
)
_CHOICE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple)


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or name.replace("_", " ").capitalize()).strip().rstrip(":")


def _lower_first(text: str) -> str:
    """'First name' → 'first name', but 'NHS number' stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _is_question(label: str) -> bool:
    return label.endswith("?")


def _question_as_phrase(label: str) -> str:
    """'How was the patient contacted?' → 'how the patient was contacted' is beyond a rule;
    the question quoted reads plainly and still names the field."""
    return f"an answer to “{label}”"


def _django_default(field: forms.Field, key: str) -> str | None:
    """The message a field's class (or its bases) gives for `key`, the nearest one winning."""
    for klass in type(field).__mro__:
        messages = klass.__dict__.get("default_error_messages") or {}
        if key in messages:
            return str(messages[key])
    return None


def derived_messages(field: forms.Field, name: str, *, owner: str = "") -> dict[str, str]:
    """The named messages for one field: required, invalid choice, invalid value, a date's."""
    label = _label(field, name)
    question = _is_question(label)
    noun = _question_as_phrase(label) if question else f"{owner}{_lower_first(label)}"
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        required = f"Tick the box if {_lower_first(label)}" if not question else f"Tick {noun}"
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        required = f"Select {noun}" if question else f"Select at least one: {_lower_first(label)}"
    elif isinstance(widget, _CHOICE_WIDGETS) or isinstance(field, forms.ChoiceField):
        required = f"Select {noun}"
    elif isinstance(field, forms.FileField):
        required = f"Select a file for {_lower_first(label)}"
    else:
        required = f"Enter {noun}"
    subject = label if not question else f"The answer to “{label}”"
    messages = {
        "required": required,
        "invalid_choice": f"Choose {noun} from the options shown",
        "invalid_list": f"Choose {noun} from the options shown",
        "invalid_pk_value": f"Choose {noun} from the options shown",
    }
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        messages["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{subject} must be a real date"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"{subject} must be a real time, like 14:30"
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{subject} must be a real date and time"
    elif isinstance(field, forms.FileField):
        messages["invalid"] = f"The file for {_lower_first(label)} could not be read"
        messages["empty"] = f"The file for {_lower_first(label)} is empty"
    elif getattr(field, "is_date_input", False):
        messages["invalid"] = f"{subject} must be a real date"
        messages["incomplete"] = f"{subject} must include a day, month and year"
    return messages


def _named_validator(validator: Any, field: forms.Field, name: str, subject: str, noun: str) -> Any:
    """A copy of Django's validator whose message names the field."""
    if type(validator) not in _DJANGO_DEFAULT_VALIDATORS:
        return validator
    if validator.message != type(validator).message:
        return validator  # a message of our own
    named = copy.copy(validator)
    if isinstance(validator, validators.EmailValidator):
        named.message = f"Enter {noun} in the correct format, like name@example.com"
    elif isinstance(validator, validators.URLValidator):
        named.message = f"Enter {noun} in the correct format, like https://www.example.org"
    elif isinstance(validator, validators.MaxLengthValidator):
        named.message = f"{subject} must be %(limit_value)d characters or fewer"
    elif isinstance(validator, validators.MinLengthValidator):
        named.message = f"{subject} must be %(limit_value)d characters or more"
    elif isinstance(validator, validators.MaxValueValidator):
        named.message = f"{subject} must be %(limit_value)s or less"
    elif isinstance(validator, validators.MinValueValidator):
        named.message = f"{subject} must be %(limit_value)s or more"
    return named


def name_field_errors(field: forms.Field, name: str, *, owner: str = "") -> None:
    """Replace, on this form's copy of the field, each Django default message by a named one."""
    for key, message in derived_messages(field, name, owner=owner).items():
        current = field.error_messages.get(key)
        default = _django_default(field, key)
        if current is None or (default is not None and str(current) == default):
            field.error_messages[key] = message
    label = _label(field, name)
    question = _is_question(label)
    subject = label if not question else f"The answer to “{label}”"
    noun = _question_as_phrase(label) if question else f"{owner}{_lower_first(label)}"
    field.validators = [
        _named_validator(validator, field, name, subject, noun) for validator in field.validators
    ]


class NamedErrorsMixin:
    """Mixed into every form of the app (through `NHSForm` and `NHSModelForm`).

    `error_owner` prefixes the derived wording: "the patient's " gives "Enter the patient's
    first name". Fields added after `__init__` are named too: the messages are set again just
    before cleaning."""

    error_owner: ClassVar[str] = ""
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_errors()

    def _name_errors(self) -> None:
        for name, field in self.fields.items():
            name_field_errors(field, name, owner=self.error_owner)

    def full_clean(self) -> None:
        self._name_errors()
        super().full_clean()  # type: ignore[misc]


class NHSForm(NamedErrorsMixin, forms.Form):
    """The app's form base: errors that name their field."""


class NHSModelForm(NamedErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]  # subclasses name the model
    """The app's model-form base: errors that name their field."""
