import pytest

from shipdesk.webhooks.models import EventType, Webhook


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    # Receivers in these tests listen on 127.0.0.1.
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_RETRY_DELAYS_SECONDS = [3600, 7200, 14400]
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 10
    settings.WEBHOOKS_CLAIM_SECONDS = 60
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5


@pytest.fixture
def make_webhook(partner):
    def make(url="http://127.0.0.1:9/hook", **fields) -> Webhook:
        fields.setdefault("enabled_events", [EventType.LETTER_CREATED])
        fields.setdefault("partner", partner)
        return Webhook.objects.create(url=url, **fields)

    return make
