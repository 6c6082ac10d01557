from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    """Every form renders with the NHS.UK frontend patterns, errors next to each field."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
