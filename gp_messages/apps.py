from django.apps import AppConfig


class GpMessagesConfig(AppConfig):
    name = "gp_messages"
    verbose_name = "Messages back to the GP"
