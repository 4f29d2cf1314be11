"""OpenAPI description of the public POD endpoints (served at /api/{schema,docs,redoc}/pod/).

The views stay unannotated: drf-spectacular view extensions here describe them. Every answer is
`{"ok": true, "data": …}` or `{"ok": false, "error": {"code", "message"}}` (tracking.pod.views),
except the public keys document, which is the bare JSON a verifier fetches.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from tracking.pod import errors

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
ERROR_CODES = sorted(
    {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.PodError)
    }
    | {"rate_limited", "method_not_allowed", "bad_request", "internal_error"}
)

DESCRIPTION = """
Signed proofs of delivery anyone holding a shipment's UUID may fetch and verify offline.
No key: the UUID is the capability, and answers hold no personal data. Requests are limited
per client address (429 with `Retry-After` over it).

The POD is signed with Ed25519; the public keys are at `/.well-known/shipdesk-passport.json`
(the current key first, each with its `kid`). `/proof` gives the shipment's hash chain,
h(n) = SHA-256(h(n-1) ‖ canonical(event n)), kept after event detail is purged.

Answers are `{"ok": true, "data": …}` or `{"ok": false, "error": {"code", "message"}}`.
"""


def _error(description: str, *codes: str) -> OpenApiResponse:
    return OpenApiResponse(
        {
            "type": "object",
            "required": ["ok", "error"],
            "properties": {
                "ok": {"type": "boolean", "enum": [False]},
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": list(codes or ERROR_CODES)},
                        "message": {"type": "string"},
                    },
                },
            },
        },
        description=description,
    )


def _ok(data: dict, description: str) -> OpenApiResponse:
    return OpenApiResponse(
        {
            "type": "object",
            "required": ["ok", "data"],
            "properties": {"ok": {"type": "boolean", "enum": [True]}, "data": data},
        },
        description=description,
    )


UUID_PARAMETER = OpenApiParameter(
    "shipment_uuid",
    {"type": "string", "pattern": UUID_PATTERN},
    OpenApiParameter.PATH,
    description="The shipment's UUID (the capability; shown on its page and in the partner "
    "API's proof-of-delivery answer).",
)
POD_DATA = {
    "type": "object",
    "description": "The signed POD: `payload` (spec, shipment UUID, delivery facts, chain "
    "head), its `signature` (Ed25519, base64) and the `kid` of the signing key.",
}
PROOF_DATA = {
    "type": "object",
    "required": ["spec", "shipment", "algorithm", "head", "length", "links"],
    "properties": {
        "spec": {"type": "string"},
        "shipment": {"type": "object", "properties": {"uuid": {"type": "string"}}},
        "algorithm": {"type": "string", "enum": ["SHA-256"]},
        "genesis": {"type": "object"},
        "head": {"type": "string", "description": "h(n) of the latest event."},
        "length": {"type": "integer", "minimum": 0},
        "links": {"type": "array", "items": {"type": "object"}},
    },
}
KEYS_DOCUMENT = {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {"type": "object"}}},
}
LOOKUP_ERRORS = {
    400: _error("Not a shipment UUID.", errors.PodMalformedUUID.code),
    404: _error("No shipment has this UUID.", errors.PodNotFound.code),
    429: _error("Too many requests from this address.", "rate_limited"),
}
TAGS = ["Proof of delivery"]


def _describe(target: str, method_doc: dict):
    class Docs(OpenApiViewExtension):
        target_class = target

        def view_replacement(self):
            class Described(self.target_class):
                schema = AutoSchema()

                def get(self, request, *args, **kwargs):
                    return super().get(request, *args, **kwargs)

                get.schema = AutoSchema  # (DEFAULT_SCHEMA_CLASS is DRF's own)
                get = extend_schema(auth=[], tags=TAGS, **method_doc)(get)

            return Described

    Docs.__name__ = f"{target.rsplit('.', 1)[-1]}Docs"
    return Docs


PodDocs = _describe(
    "tracking.pod.views.PodView",
    {
        "operation_id": "getProofOfDelivery",
        "summary": "Get the signed proof of delivery",
        "parameters": [UUID_PARAMETER],
        "responses": {
            200: _ok(POD_DATA, "The signed POD."),
            **LOOKUP_ERRORS,
            409: _error("The shipment is not delivered.", errors.PodNotDelivered.code),
            410: _error("Delivered outside the retention period.", errors.PodOutsideRetention.code),
            503: _error("The signing key cannot be read.", errors.PodSigningUnavailable.code),
        },
    },
)
ProofDocs = _describe(
    "tracking.pod.views.ProofView",
    {
        "operation_id": "getDeliveryProofChain",
        "summary": "Get the shipment's hash chain",
        "parameters": [UUID_PARAMETER],
        "responses": {200: _ok(PROOF_DATA, "The hash chain."), **LOOKUP_ERRORS},
    },
)
KeysDocs = _describe(
    "tracking.pod.views.PublicKeysView",
    {
        "operation_id": "getPodPublicKeys",
        "summary": "Get the public keys that sign PODs",
        "responses": {
            200: OpenApiResponse(KEYS_DOCUMENT, description="The keys, current first."),
            429: LOOKUP_ERRORS[429],
            503: _error("The keys cannot be read.", errors.PodKeysUnavailable.code),
        },
    },
)


def pod_endpoints(endpoints, **kwargs):
    """Preprocessing hook: the described views, without the catch-all 404."""
    described = {"PodView", "ProofView", "PublicKeysView"}
    return [
        endpoint
        for endpoint in endpoints
        if getattr(endpoint[3], "cls", None) is not None
        and endpoint[3].cls.__module__ == "tracking.pod.views"
        and endpoint[3].cls.__name__ in described
    ]


SETTINGS = {
    "TITLE": "shipdesk proof of delivery API",
    "VERSION": "v1",
    "DESCRIPTION": DESCRIPTION.strip(),
    "PREPROCESSING_HOOKS": ["tracking.pod.schema.pod_endpoints"],
    "POSTPROCESSING_HOOKS": [],
    "ENUM_NAME_OVERRIDES": {},
}
