"""Settings and URLs of the gunicorn server that bench/api.py starts (bench only).

shipdesk exactly as configured by the environment, plus two plain Django views (no DRF, no key
lookup, no throttle) that answer the same JSON as the API:

* `/bench/bare/<name>`: the document saved in `$BENCH_API_BARE_DIR/<name>.json` (the API's own
  answer, fetched once by the bench), with JsonResponse: no database either.
* `/bench/reads/get?id=…` and `/bench/reads/list?partner=…`: the same reads and representation
  as the API's views (tracking.api.views), in a plain view.

Selected with DJANGO_SETTINGS_MODULE=api_server and gunicorn's `--pythonpath bench`.
"""

import json
import os
from functools import cache
from pathlib import Path

from django.http import Http404, JsonResponse
from django.urls import URLResolver, path
from django.urls.resolvers import RegexPattern

from shipdesk.settings import *  # noqa: F403

ROOT_URLCONF = "api_server"

_documents: dict[str, dict] = {}


@cache
def _row_by_public_id():
    """The API's detail read (representation's columns, SQL prepared once), by id alone."""
    from shipdesk.prepared import PreparedWhere
    from tracking.api import representation as rep

    return PreparedWhere(rep.SHIPMENT_ROWS, "public_id")


def bare(request, name: str):
    if name not in _documents:
        source = Path(os.environ["BENCH_API_BARE_DIR"]) / f"{name}.json"
        if not source.is_file():
            raise Http404(name)
        _documents[name] = json.loads(source.read_text())
    return JsonResponse(_documents[name])


def reads(request, name: str):
    from tracking.api import representation as rep
    from tracking.models import Shipment

    if name == "get":
        (row,) = _row_by_public_id().rows(request.GET["id"])
        (tracking,) = rep.rows_data({row["id"]: row}, [row["id"]])
        return JsonResponse({"meta": {"code": 200}, "data": {"tracking": tracking}})
    if name != "list":
        raise Http404(name)
    page, limit = 1, 100
    qs = Shipment.objects.filter(partner_id=request.GET["partner"])
    total = qs.count()
    ids = list(qs.order_by("-created_at", "-id").values_list("id", flat=True)[:limit])
    has_next = page * limit < total
    data = {
        "page": page,
        "limit": limit,
        "count": total,
        "keyword": "",
        "slug": "",
        "origin": [],
        "destination": [],
        "tag": "",
        "fields": "",
        "created_at_min": None,
        "created_at_max": None,
        "pagination": {
            "total": total,
            "has_next_page": has_next,
            "next_cursor": str(page + 1) if has_next else None,
        },
        "trackings": rep.trackings_data(ids),
    }
    return JsonResponse({"meta": {"code": 200}, "data": data})


urlpatterns = [
    path("bench/bare/<slug:name>", bare),
    path("bench/reads/<slug:name>", reads),
    # shipdesk's own URLs, imported lazily (this module is also the settings module).
    URLResolver(RegexPattern(r"^"), "shipdesk.urls"),
]
