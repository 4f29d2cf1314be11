from django.apps import AppConfig


class MailordersConfig(AppConfig):
    name = "mailorders"
    verbose_name = "Mail orders"
