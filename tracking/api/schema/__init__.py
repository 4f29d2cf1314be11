"""OpenAPI description of the partner API (drf-spectacular): envelopes, errors, the key header.

The views say what each operation takes and answers with `@extend_schema`; this module holds the
shapes they refer to (the AfterShip 2024-04 objects in their `{"meta", "data"}` envelope), the
auto-schema partner views use, the `as-api-key` security scheme and the hooks named in
`SPECTACULAR_SETTINGS`. The shapes mirror `tracking.api.representation`; the tests check that
every key the API sends is described here.

Modules: `envelopes` (the envelope, errors, parameter docs), `objects` (the AfterShip objects),
`hooks` (request bodies, auto-schema, security scheme, settings hooks, Redoc); what the views
and settings use is re-exported here.
"""

from tracking.api.schema.envelopes import (
    CREATE_ERROR,
    ERROR_TYPE_CHOICES,
    PROCESSING_UNIT_CHOICES,
    RETRACK_ERROR,
    SECURITY_SCHEME,
    WEIGHT_UNIT_CHOICES,
    responses,
)
from tracking.api.schema.hooks import (
    MARK_COMPLETED_DOC,
    OfflineRedocView,
    PartnerAutoSchema,
    operation,
    partner_endpoints,
    postprocess,
    request_body,
    version_operation,
)
from tracking.api.schema.objects import (
    CourierListResponse,
    LastCheckpointResponse,
    NotificationResponse,
    TrackingCreatedResponse,
    TrackingDeletedResponse,
    TrackingListResponse,
    TrackingResponse,
)

__all__ = [
    "CREATE_ERROR",
    "ERROR_TYPE_CHOICES",
    "MARK_COMPLETED_DOC",
    "PROCESSING_UNIT_CHOICES",
    "RETRACK_ERROR",
    "SECURITY_SCHEME",
    "WEIGHT_UNIT_CHOICES",
    "CourierListResponse",
    "LastCheckpointResponse",
    "NotificationResponse",
    "OfflineRedocView",
    "PartnerAutoSchema",
    "TrackingCreatedResponse",
    "TrackingDeletedResponse",
    "TrackingListResponse",
    "TrackingResponse",
    "operation",
    "partner_endpoints",
    "postprocess",
    "request_body",
    "responses",
    "version_operation",
]
