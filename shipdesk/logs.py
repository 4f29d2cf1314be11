"""Logging filters named in settings.LOGGING."""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """A refused request (PermissionDenied, a 403) is an ordinary event: keep the warning line,
    drop the traceback Django attaches to it. Every other record passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
