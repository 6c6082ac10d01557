from django.apps import AppConfig


class CommunityServicesConfig(AppConfig):
    name = "community_services"
    verbose_name = "Community services directory"
