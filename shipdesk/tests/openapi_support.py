"""The OpenAPI tests' shared pieces: every API's docs pages served offline, and a
PostGrid-dialect description run against the server with schemathesis (in-process, through
the WSGI application), for the print-mail and webhooks tests."""

from __future__ import annotations

import re
from contextlib import contextmanager

import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.html import escapejs
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from shipdesk.wsgi import application

KEY_HEADER = "x-api-key"


def document(settings: dict) -> dict:
    """The description as /api/schema/<api>/ serves it."""
    with patched_settings(settings):
        return SchemaGenerator(urlconf="shipdesk.urls").get_schema(request=None, public=True)


def operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def assert_served_offline(client, name: str = "") -> None:
    """The Swagger UI and Redoc pages of the API `name` (the tracking API 2024-04's when
    blank) load their description and nothing from off-site."""
    where = f"{name}/" if name else ""
    for url in (f"/api/docs/{where}", f"/api/redoc/{where}"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        schema_url = f"/api/schema/{where}"
        assert schema_url in html or escapejs(schema_url) in html, url
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), url
        assets = re.findall(r"""(?:src|href)=["']?/static/([^"' >]+)""", html)
        assert assets, url
        for asset in assets:
            assert finders.find(asset), asset


def fuzz_schema(
    settings: dict, *, examples: int, real_ids: dict[str, list[str]], shared_code: str = ""
):
    """The description as schemathesis sees it, calling the WSGI application in-process; half
    the generated path parameters name one of `real_ids[name]`, so fuzzing gets past 404.

    The coverage phase (boundary and invalid values of every parameter and member) skips the
    operations whose id matches `shared_code`: they run the same code as another operation
    that it covers (e.g. getting a postcard and getting a letter)."""
    skip = [{"include-operation-id-regex": shared_code, "phases": {"coverage": {"enabled": False}}}]
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": examples,
                "deterministic": True,
                "database": "none",
                "mode": "all",
                "allow-x00": False,  # NUL is refused everywhere, as the description says
            },
            "phases": {"stateful": {"enabled": False}},
            "operations": skip if shared_code else [],
        }
    )
    loaded = schemathesis.openapi.from_dict(document(settings), config=config)
    loaded.app = application

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        names = [p for p in real_ids if "{" + p + "}" in context.operation.path]
        if not names:
            return strategy
        real = st.fixed_dictionaries({name: st.sampled_from(real_ids[name]) for name in names})
        return st.one_of(strategy, real)

    return loaded


@contextmanager
def connection_kept_open():
    """The WSGI handler would close the test's connection around each request (as Django's own
    test client prevents): keep it open for the test transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def key_header(case, raw_key: str) -> dict:
    """The real key in place of the generated one; none when the case leaves the header out
    (a negative case testing the missing key, which must answer 401)."""
    sent = {header.lower() for header in case.headers or {}}
    return {KEY_HEADER: raw_key} if KEY_HEADER in sent else {}


def accepted_unless(refused_for_state) -> object:
    """positive_data_acceptance, except for a 400 that `refused_for_state(error)` explains: a
    valid request refused for what the database holds (an unknown id it names, a status that
    allows no such change), not for its data, as the description documents."""

    def valid_data_accepted(ctx, response, case):
        if response.status_code == 400:
            body = response.json()
            if isinstance(body, dict) and refused_for_state(body.get("error") or {}):
                return None
        return positive_data_acceptance(ctx, response, case)

    return valid_data_accepted


def checks(refused_for_state) -> list:
    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
        accepted_unless(refused_for_state),
    ]
