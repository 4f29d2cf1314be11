"""The fake's state, its switches for tests, and the WSGI dispatch (see the package docstring)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from werkzeug import Request, Response

CLIENT_ID = "shipdesk-outbound-client"
CLIENT_SECRET = "shipdesk-outbound-secret"
TOKEN_LIFETIME = 28799  # seconds, as USPS answers
PAYMENT_TOKEN_LIFETIME = 8 * 3600  # "valid for eight hours after issuance"
SCOPES = "addresses prices labels payments scan-forms tracking service-delivery-standards"
MAX_WEIGHT_LB = 70


@dataclass
class FakeLabel:
    tracking_number: str
    crid: str
    request: dict
    postage: float
    zone: str
    mailing_date: str
    entry_zip: str
    status: str = "ACTIVE"  # ACTIVE, CANCELED, DISPUTED
    scan_form: str = ""  # manifest number once on a SCAN form
    dispute_id: str = ""


@dataclass
class Call:
    kind: str
    method: str
    path: str
    at: float
    headers: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    body: object = None
    seconds: float = 0.0  # how long the fake took to answer (hangs included)


class Canned(Exception):
    """Raised inside a handler to answer with this response at once."""

    def __init__(self, response: Response):
        self.response = response


def usps_error(
    status: int,
    message: str,
    *,
    api: str,
    detail: str = "",
    parameter: str = "",
    code: str = "",
    title: str = "",
    headers: dict | None = None,
) -> Response:
    """USPS's ErrorMessage body: {apiVersion, error: {code, message, errors: [...]}}."""
    errors = []
    if detail or parameter:
        item = {
            "status": str(status),
            "code": code or "",
            "title": title or message,
            "detail": detail or message,
        }
        if parameter:
            item["source"] = {"parameter": parameter}
        errors.append(item)
    body = {"apiVersion": api, "error": {"code": str(status), "message": message, "errors": errors}}
    return json_response(body, status, headers)


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json"
    )


def multipart(parts: list[tuple[str, str, bytes, str]]) -> Response:
    """multipart/form-data of (name, content type, content, file name) parts.

    As USPS documents, a JSON part goes as it is and an image part is always Base64 encoded.
    """
    boundary = uuid.uuid4().hex
    chunks = []
    for name, content_type, content, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
            content = base64.b64encode(content)
        head = f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Disposition: {disposition}"
        if filename:
            head += "\r\nContent-Transfer-Encoding: base64"
        chunks.append(head.encode() + b"\r\n\r\n" + content + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return Response(body, status=200, content_type=f"multipart/form-data; boundary={boundary}")


class FakeUsps:
    """USPS's outbound v3 APIs in memory. Thread-safe: serve it on a threaded server.

    Switches (all take effect on the next matching calls):
    - `fail_next(kind, times, status=503)`: USPS's error body with that status;
    - `rate_limit_next(kind, times, retry_after=1)`: 429 with Retry-After;
    - `hang_next(kind, times, seconds)`: answer only after `seconds` (the work is done first,
      so a label is bought and then the caller times out);
    - `hang_every(kind, nth, seconds)`: the same on every nth call of that kind;
    - `expire_tokens()` / `expire_payment_tokens()`: tokens issued so far answer 401;
    - `undeliverable`, `vacant`, `business`: street addresses (upper case) with that verdict;
    - `not_enrolled_crids`: CRIDs not enrolled in USPS Ship (payment authorization refuses);
    - `refused_express_zips`: destination ZIPs Priority Mail Express does not serve;
    - `scopes`: the scopes of new OAuth tokens (without `payments`, payment authorization
      answers 401, as USPS's test environment sometimes does).
    Kinds: token, addresses, prices, standards, payments, labels, cancel, scan_forms.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.calls: list[Call] = []
        self.tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.token_scopes: dict[str, str] = {}
        self.payment_tokens: dict[str, dict] = {}  # token -> {"expires", "roles"}
        self.labels: dict[str, FakeLabel] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, str]] = {}  # (CRID, key) -> (body, n)
        self.scan_forms: dict[str, list[str]] = {}
        self.purchases = 0  # labels charged (an idempotent replay charges nothing)
        self.undeliverable: set[str] = {"1 NOWHERE ST", "0 UNDELIVERABLE RD"}
        self.vacant: set[str] = set()
        self.business: set[str] = set()
        self.not_enrolled_crids: set[str] = set()
        self.refused_express_zips: set[str] = set()
        self.scopes = SCOPES
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self._scripted: dict[str, deque] = {}
        self._every: dict[str, tuple[int, float]] = {}
        self._counts: dict[str, int] = {}
        self._serial = 0
        self.disputes = 100000

    # --- switches -----------------------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1, *, status: int = 503) -> None:
        self._script(kind, times, ("fail", status))

    def rate_limit_next(self, kind: str, times: int = 1, *, retry_after: str | int = 1) -> None:
        self._script(kind, times, ("429", str(retry_after)))

    def hang_next(self, kind: str, times: int = 1, *, seconds: float = 2.0) -> None:
        self._script(kind, times, ("hang", seconds))

    def hang_every(self, kind: str, nth: int, *, seconds: float = 2.0) -> None:
        self._every[kind] = (nth, seconds)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def expire_payment_tokens(self) -> None:
        with self.lock:
            for entry in self.payment_tokens.values():
                entry["expires"] = 0.0

    def _script(self, kind: str, times: int, action) -> None:
        with self.lock:
            self._scripted.setdefault(kind, deque()).extend([action] * times)

    # --- what the fake saw --------------------------------------------------------------

    def calls_of(self, kind: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.kind == kind]

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.handle(request)(environ, start_response)

    def handle(self, request: Request) -> Response:
        from tracking.carriers.usps.fake import endpoints  # the handlers need this module

        route = endpoints.route(request.method, request.path)
        if route is None:
            return usps_error(404, "Not Found", api="v3", detail=f"No resource {request.path}")
        kind, handler, api, args = route
        call = Call(
            kind,
            request.method,
            request.path,
            time.monotonic(),
            headers=dict(request.headers),
            params=request.args.to_dict(),
            body=_body(request),
        )
        with self.lock:
            self.calls.append(call)
            self._counts[kind] = self._counts.get(kind, 0) + 1
            count = self._counts[kind]
            action = self._scripted.get(kind) and self._scripted[kind].popleft()
        hang = 0.0
        if action and action[0] == "fail":
            return usps_error(action[1], "Service Unavailable", api=api)
        if action and action[0] == "429":
            return usps_error(429, "Too Many Requests", api=api, headers={"Retry-After": action[1]})
        if action and action[0] == "hang":
            hang = action[1]
        every = self._every.get(kind)
        if every and count % every[0] == 0:
            hang = every[1]
        try:
            if kind != "token":
                self.check_bearer(request, api)
            response = handler(self, request, call, *args)
        except Canned as canned:
            response = canned.response
        if hang:
            self.release.wait(hang)  # the work is done: the caller sees only a timeout
        call.seconds = time.monotonic() - call.at
        return response

    # --- shared checks ------------------------------------------------------------------

    def check_bearer(self, request: Request, api: str) -> str:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        with self.lock:
            expires = self.tokens.get(token)
        if not header.startswith("Bearer ") or expires is None or expires <= time.time():
            raise Canned(
                usps_error(
                    401,
                    "Unauthorized",
                    api=api,
                    code="UNAUTHORIZED",
                    detail="The OAuth token is missing, invalid or expired.",
                    parameter="Authorization",
                    headers={"WWW-Authenticate": 'Bearer realm="https://api.usps.com"'},
                )
            )
        return token

    def payment_roles(self, request: Request, api: str) -> list[dict]:
        token = request.headers.get("X-Payment-Authorization-Token", "")
        with self.lock:
            entry = self.payment_tokens.get(token)
        if not token:
            raise Canned(
                usps_error(
                    400,
                    "Bad Request",
                    api=api,
                    detail="X-Payment-Authorization-Token is required",
                    parameter="Header: X-Payment-Authorization-Token",
                )
            )
        if entry is None or entry["expires"] <= time.time():
            raise Canned(
                usps_error(
                    401,
                    "Unauthorized",
                    api=api,
                    code="UNAUTHORIZED",
                    detail="The payment authorization token is invalid or expired.",
                    parameter="Header: X-Payment-Authorization-Token",
                )
            )
        return entry["roles"]

    def next_serial(self) -> int:
        with self.lock:
            self._serial += 1
            return self._serial


def _body(request: Request):
    if request.mimetype == "application/json":
        try:
            return json.loads(request.get_data() or b"null")
        except ValueError:
            return ValueError
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.to_dict()
    return request.get_data() or None
