"""How forms render: one set of templates for every form on the site, allauth's included."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render forms and fields with templates/components/form.html and field.html (errors beside their field)."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
