from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "shouhu.ops"
    label = "ops"
    verbose_name = "Operations"
