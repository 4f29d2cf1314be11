"""Stored PDFs (labels, manifests) served as responses."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def stored_pdf_response(stored: FieldFile, filename: str) -> FileResponse:
    """The PDF in `stored`, or Http404 when there is none or storage has lost it."""
    if not stored:
        raise Http404("No PDF.")
    try:
        pdf = stored.open("rb")
    except OSError as exc:
        raise Http404("The PDF is missing.") from exc
    return FileResponse(pdf, content_type="application/pdf", filename=filename)
