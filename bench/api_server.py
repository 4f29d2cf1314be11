"""Settings and URLs of the gunicorn server that bench/api.py starts (bench only).

shipdesk exactly as configured by the environment, plus `/bench/bare/<name>`: a bare Django
view that answers the JSON document saved in `$BENCH_API_BARE_DIR/<name>.json` (the API's own
answer, fetched once by the bench) with `JsonResponse` - the same bytes, without DRF, the key
lookup, the throttle or the database. Selected with DJANGO_SETTINGS_MODULE=api_server and
gunicorn's `--pythonpath bench`.
"""

import json
import os
from pathlib import Path

from django.http import Http404, JsonResponse
from django.urls import URLResolver, path
from django.urls.resolvers import RegexPattern

from shipdesk.settings import *  # noqa: F403

ROOT_URLCONF = "api_server"

_documents: dict[str, dict] = {}


def bare(request, name: str):
    if name not in _documents:
        source = Path(os.environ["BENCH_API_BARE_DIR"]) / f"{name}.json"
        if not source.is_file():
            raise Http404(name)
        _documents[name] = json.loads(source.read_text())
    return JsonResponse(_documents[name])


urlpatterns = [
    path("bench/bare/<slug:name>", bare),
    # shipdesk's own URLs, imported lazily (this module is also the settings module).
    URLResolver(RegexPattern(r"^"), "shipdesk.urls"),
]
