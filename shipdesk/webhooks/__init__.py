"""Outgoing webhooks (PostGrid-style): the event outbox, signed deliveries with retries, the
/print-mail/v1/webhooks API and the admin.

Other code records events with `event_record`, inside the transaction of its change.
"""

from __future__ import annotations


def event_record(*, partner, type: str, data: dict):
    """Record a webhook event in the caller's transaction (see services.event_record)."""
    # Imported here: this package's models load while shipdesk.models does.
    from shipdesk.webhooks.services import event_record as record

    return record(partner=partner, type=type, data=data)
