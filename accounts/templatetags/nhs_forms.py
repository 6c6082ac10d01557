"""Renders Django widgets with the NHS.UK frontend classes and error/hint wiring."""

from django import template

register = template.Library()

_INPUT_CLASS = {
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "textarea": "nhsuk-textarea",
    "checkbox": "nhsuk-checkboxes__input",
    "clearablefile": "nhsuk-file-upload",
    "file": "nhsuk-file-upload",
}


@register.simple_tag
def nhs_widget(field, extra_class: str = ""):
    classes = [_INPUT_CLASS.get(field.widget_type, "nhsuk-input")]
    if field.errors and classes[0] in {"nhsuk-input", "nhsuk-select", "nhsuk-textarea"}:
        classes.append(f"{classes[0]}--error")
    if extra_class:
        classes.append(extra_class)
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
