import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import APIKey, Partner

KEY_PREFIX = "sd"
LAST_USED_PRECISION = timedelta(minutes=1)
# This process's own memory, read before the database: key prefix -> (time.monotonic() until
# which the entry holds, the APIKey with its partner), and key prefix -> when this process last
# tried to write the key's last_used_at. Plain dicts: each get, set and clear is atomic, so the
# threads of one process share them safely (the worst a race does is read a key once more).
# The cached APIKey is shared by the requests that use it: read it, never change it.
_keys: dict[str, tuple[float, APIKey]] = {}
_last_use_tried: dict[str, datetime] = {}
KEYS_KEPT = 10_000  # past this many entries a dict is emptied (a process serves far fewer keys)


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
    now = time.monotonic()
    entry = _keys.get(prefix)
    if entry is not None and now < entry[0]:
        return entry[1]
    key = APIKey.objects.select_related("partner").filter(prefix=prefix).first()
    if key is None:
        _keys.pop(prefix, None)
    else:
        if len(_keys) >= KEYS_KEPT:
            _keys.clear()
        _keys[prefix] = (now + settings.API_KEY_CACHE_SECONDS, key)
    return key


def api_keys_forget(**_signal) -> None:
    """Drop this process's cached keys (connected to every save and delete of a key or a
    partner; other processes drop theirs within API_KEY_CACHE_SECONDS)."""
    _keys.clear()
    _last_use_tried.clear()


def api_key_record_use(*, key: APIKey) -> None:
    """Note when the key was last used, to the minute: at most one write a minute per key
    whatever the number of processes (each process tries once a minute; the conditional
    UPDATE lets only the first of them write)."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at <= LAST_USED_PRECISION:
        return
    tried = _last_use_tried.get(key.prefix)
    if tried is not None and timedelta(0) <= now - tried < LAST_USED_PRECISION:
        return
    if len(_last_use_tried) >= KEYS_KEPT:
        _last_use_tried.clear()
    _last_use_tried[key.prefix] = now
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
