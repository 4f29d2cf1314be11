"""Path converters for the partner APIs' record ids."""

from django.urls.converters import StringConverter


class RecordIdConverter(StringConverter):
    """One path segment that can name a record: no slash and no NUL.

    PostgreSQL refuses NUL in text, so looking such an id up would fail; an id with a NUL names
    nothing, and the path falls through to its API's own 404 envelope.
    """

    regex = "[^/\x00]+"
