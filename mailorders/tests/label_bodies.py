"""A complete Postmen create-label body, the seed's example made domestic."""

from __future__ import annotations

import copy

ADDRESS_FROM = {
    "contact_name": "AfterShip Shipping",
    "company_name": "AfterShip Shipping",
    "street1": "230 W 200 S LBBY",
    "city": "Salt Lake City",
    "state": "UT",
    "postal_code": "84101",
    "country": "USA",
    "phone": "123456789",
    "email": "test@test.com",
}
ADDRESS_TO = {
    "contact_name": "Ada Lovelace",
    "street1": "145 Mulberry St",
    "street2": "Apt PH D",
    "city": "New York",
    "state": "NY",
    "postal_code": "10013",
    "country": "USA",
}
PARCEL = {
    "box_type": "custom",
    "dimension": {"width": 10, "height": 10, "depth": 10, "unit": "cm"},
    "items": [
        {
            "description": "Food Bar",
            "quantity": 1,
            "price": {"currency": "USD", "amount": 100},
            "weight": {"unit": "kg", "value": 1},
            "sku": "imac2014",
        }
    ],
    "description": "Food XS",
    "weight": {"unit": "kg", "value": 1},
}


def label_body(account_id: str, **overrides) -> dict:
    body = {
        "shipper_account": {"id": account_id},
        "service_type": "usps-discounted_express_mail",
        "paper_size": "4x6",
        "references": ["order-1001"],
        "is_document": False,
        "return_shipment": False,
        "custom_fields": {"ship_code": "01"},
        "shipment": {
            "ship_from": copy.deepcopy(ADDRESS_FROM),
            "ship_to": copy.deepcopy(ADDRESS_TO),
            "parcels": [copy.deepcopy(PARCEL)],
        },
    }
    body.update(overrides)
    return body
