from django.apps import AppConfig


class CasefindingConfig(AppConfig):
    name = "casefinding"
    verbose_name = "Case-finding and outreach"
