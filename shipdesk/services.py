import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import APIKey, Partner

KEY_PREFIX = "sd"
# This process's own memory (settings.CACHES): keys are read here before the database.
API_KEY_CACHE = "api_keys"
LAST_USED_PRECISION = timedelta(minutes=1)


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
    """The active key matching `raw_key`, or None.

    The key row (with its partner) is kept in this process's memory for
    API_KEY_CACHE_SECONDS, so a busy key costs no query per request; a revocation, a
    deactivated partner or a changed rate reaches every process within that time (and this
    process at once, see api_keys_forget)."""
    parts = (raw_key or "").split("_", 3)
    if len(parts) != 4 or parts[0] != KEY_PREFIX:
        return None
    key = _key_by_prefix(parts[2])
    if key is None or not key.is_active or not hmac.compare_digest(key.hashed_key, _hash(raw_key)):
        return None
    return key


def _key_by_prefix(prefix: str) -> APIKey | None:
    key_cache = caches[API_KEY_CACHE]
    entry = f"api-key:{prefix}"
    key = key_cache.get(entry)
    if key is None:
        key = APIKey.objects.select_related("partner").filter(prefix=prefix).first()
        if key is not None:
            key_cache.set(entry, key, timeout=settings.API_KEY_CACHE_SECONDS)
    return key


def api_keys_forget(**_signal) -> None:
    """Drop this process's cached keys (connected to every save and delete of a key or a
    partner; other processes drop theirs within API_KEY_CACHE_SECONDS)."""
    caches[API_KEY_CACHE].clear()


def api_key_record_use(*, key: APIKey) -> None:
    """Note when the key was last used, to the minute: at most one write a minute per key
    whatever the number of processes (each process tries once a minute; the conditional
    UPDATE lets only the first of them write)."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at <= LAST_USED_PRECISION:
        return
    if not caches[API_KEY_CACHE].add(f"api-key-used:{key.prefix}", True, timeout=60):
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    APIKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)


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
