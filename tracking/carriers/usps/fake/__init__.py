"""A fake of USPS's outbound v3 APIs, faithful to USPS's published contracts, for tests, benches
and demos: a WSGI app (`FakeUsps`) served on 127.0.0.1 (`FakeUspsServer`, the `usps_server`
pytest fixture in `fixtures.py`, or `python -m tracking.carriers.usps.fake`).

It follows, field for field, USPS's OpenAPI descriptions from the developer portal (copies of
2026-06-23 as vendored in karrioapi/karrio, modules/connectors/usps/vendor/): Addresses 3.0
(`addresses.yaml`: `GET /addresses/v3/address`, its 404 verdicts), Domestic Prices 3.0
(`domestic-prices.yaml` 3.x: `POST /prices/v3/base-rates/search`, `/total-rates/search`),
Service Standards 3.0 (`GET /service-standards/v3/standards`: days and scheduled delivery date
per mail class, see fake/standards.py), Payments 3.0 (`payments.yaml` 3.1.20:
`POST /payments/v3/payment-authorization`, roles PAYER and LABEL_OWNER), Labels 3.0
(`domestic-labels.yaml` 3.9.13: `POST /labels/v3/label` answering multipart/form-data with
`labelMetadata`, a Base64 `labelImage` and `receiptImage`, or `application/vnd.usps.labels+json`;
`X-Payment-Authorization-Token`, `X-Idempotency-Key`;
`DELETE /labels/v3/label/{trackingNumber}` answering CANCELED or DISPUTED), SCAN Form 3.0
(`scan-forms.yaml`: the current request shape with a flat `fromAddress` and
`shipment.trackingNumbers`, answering `SCANFormMetaData` and `SCANFormImage`), and every API's
`ErrorMessage` body. The examples and error texts come from USPS's own repository
USPS/api-examples (README.md, SCANForm-*.json, "Error Inventory/API Error Consolidated List.xlsx").
OAuth (`POST /oauth2/v3/token`) answers as that README shows, to a form or a JSON body.

Where USPS documents no behaviour, the fake chooses and says so: an `X-Idempotency-Key` reused
with a different body answers 400.
"""

from tracking.carriers.usps.fake.app import CLIENT_ID, CLIENT_SECRET, FakeUsps
from tracking.carriers.usps.fake.server import FakeUspsServer

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeUsps", "FakeUspsServer"]
