"""SMS senders. shipdesk ships only one that logs; plug in a real one with SMS_SENDER."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LoggingSmsSender:
    """Writes each message to the log instead of sending it."""

    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


def get_sms_sender():
    return import_string(settings.SMS_SENDER)()
