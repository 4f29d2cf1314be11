import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import APIKey, Partner

KEY_PREFIX = "sd"


def partner_get_or_create(*, name: str) -> Partner:
    partner, _ = Partner.objects.get_or_create(
        name=name.strip(), defaults={"slug": slugify(name)[:200] or "partner"}
    )
    return partner


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, partner: Partner, name: str, is_test: bool = False) -> tuple[APIKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    return api_key_save_new(key=APIKey(partner=partner, name=name, is_test=is_test))


@transaction.atomic
def api_key_save_new(*, key: APIKey, actor: Actor = SYSTEM) -> tuple[APIKey, str]:
    """Give an unsaved key its secret and save it; returns the raw key (shown only once)."""
    key.prefix = secrets.token_hex(4)
    raw_key = (
        f"{KEY_PREFIX}_{'test' if key.is_test else 'live'}_{key.prefix}_{secrets.token_urlsafe(24)}"
    )
    key.hashed_key = _hash(raw_key)
    key.save()
    audit_record(
        actor=actor, action="api_key.create", summary=f"Created API key {key}", targets=[key]
    )
    return key, raw_key


def api_key_authenticate(*, raw_key: str) -> APIKey | None:
    """The active key matching `raw_key`, or None."""
    parts = (raw_key or "").split("_", 3)
    if len(parts) != 4 or parts[0] != KEY_PREFIX:
        return None
    key = APIKey.objects.select_related("partner").filter(prefix=parts[2]).first()
    if key is None or not key.is_active or not hmac.compare_digest(key.hashed_key, _hash(raw_key)):
        return None
    return key


@transaction.atomic
def api_key_revoke(*, key: APIKey, actor: Actor = SYSTEM) -> bool:
    """Revoke the key (requests with it are refused from now on); False if it already was."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="api_key.revoke", summary=f"Revoked API key {key}", targets=[key]
    )
    return True
