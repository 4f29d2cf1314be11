"""A PostGrid-compatible print-mail provider that fails on demand, for pytest-httpserver (tests)
and for bench/printqueue.py.

It creates letters, postcards and self-mailers (JSON or multipart with a `pdf` file), honours
`Idempotency-Key` (the same key answers the order it made), retrieves and cancels (DELETE), and
keeps every request it saw. Failures: `plan("429", "500", "401", "timeout", "400")` fails the next
calls in that order; `fail_every = 3` fails every third call, cycling through FAILURE_KINDS.
A "timeout" makes the order first and then answers too late, the case where a blind retry
would send it twice."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from werkzeug import Request, Response

FAILURE_KINDS = ("500", "429", "timeout", "401", "503")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
PATH = re.compile(r"^/print-mail/v1/(letters|postcards|self_mailers)(?:/([A-Za-z0-9_]+))?$")
OBJECTS = {"letters": "letter", "postcards": "postcard", "self_mailers": "self_mailer"}


@dataclass
class Seen:
    method: str
    path: str
    api_key: str
    idempotency_key: str
    answered: int
    late: bool = False  # answered after the client's timeout (a "timeout" failure)


@dataclass
class FakePrintProvider:
    api_key: str = "provider-test-key"
    delay_seconds: float = 1.0  # how late a "timeout" answers
    retry_after: str = "2"
    fail_every: int = 0
    orders: dict[str, dict] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()

    def plan(self, *failures: str) -> None:
        self.planned.extend(failures)

    def install(self, httpserver) -> str:
        """Serve every request of `httpserver`; its base URL."""
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        return httpserver.url_for("").rstrip("/")

    def creates(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]

    def orders_for(self, shipdesk_id: str) -> list[dict]:
        return [
            o for o in self.orders.values() if o["metadata"].get("shipdeskOrderId") == shipdesk_id
        ]

    def progress(self, provider_id: str, **changes) -> dict:
        """Change an order as the provider's printer would (status, trackingNumber, imb…)."""
        self.orders[provider_id].update(changes)
        return self.orders[provider_id]

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.calls += 1
            failure = self._failure()
        key = request.headers.get("Idempotency-Key", "")
        status, body = self._answer(request, failure)
        self.seen.append(
            Seen(
                request.method,
                request.path,
                request.headers.get("x-api-key", ""),
                key,
                status,
                late=failure == "timeout",
            )
        )
        if failure == "timeout":
            time.sleep(self.delay_seconds)
        headers = {"Retry-After": self.retry_after} if status in (429, 503) else {}
        return Response(
            json.dumps(body), status=status, headers=headers, mimetype="application/json"
        )

    def _failure(self) -> str:
        if self.planned:
            return self.planned.pop(0)
        if self.fail_every and self.calls % self.fail_every == 0:
            return FAILURE_KINDS[(self.calls // self.fail_every - 1) % len(FAILURE_KINDS)]
        return ""

    def _answer(self, request: Request, failure: str) -> tuple[int, dict]:
        if failure == "401" or request.headers.get("x-api-key") != self.api_key:
            return 401, _error("Invalid API key.", "unauthorized_error")
        if failure == "400":
            return 400, _error(
                "to.addressLine1: this address cannot be mailed.", "validation_error"
            )
        if failure in ("429", "500", "503"):
            return int(failure), _error(f"Failure {failure} on demand.", "internal_error")
        match = PATH.match(request.path)
        if match is None:
            return 404, _error("No such endpoint.", "not_found_error")
        collection, provider_id = match.groups()
        if provider_id:
            order = self.orders.get(provider_id)
            if order is None:
                return 404, _error("Could not find the order.", "not_found_error")
            if request.method == "DELETE":
                if order["status"] != "ready":
                    return 400, _error("Only a ready order can be cancelled.", "validation_error")
                order["status"] = "cancelled"
            return 200, order
        if request.method != "POST":
            return 200, {"object": "list", "data": list(self.orders.values())}
        return 200, self._create(request, OBJECTS[collection])

    def _create(self, request: Request, object_name: str) -> dict:
        key = request.headers.get("Idempotency-Key", "")
        with self._lock:
            if key and key in self.by_key:
                return self.orders[self.by_key[key]]
            data = _unflatten(request.form) if request.form else (request.get_json() or {})
            order = {
                "id": f"{object_name}_{secrets.token_hex(8)}",
                "object": object_name,
                "live": False,
                "status": "ready",
                "to": data.get("to"),
                "from": data.get("from"),
                "mailingClass": data.get("mailingClass", "first_class"),
                "size": data.get("size"),
                "metadata": data.get("metadata") or {},
                "pdfBytes": len(request.files["pdf"].read()) if "pdf" in request.files else 0,
            }
            self.orders[order["id"]] = order
            if key:
                self.by_key[key] = order["id"]
        return order


def _error(message: str, kind: str) -> dict:
    return {"error": {"type": kind, "message": message}}


def _unflatten(form) -> dict:
    out: dict = {}
    for raw_key, value in form.items():
        parts = [raw_key.split("[", 1)[0], *_BRACKETS.findall(raw_key)]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out
