"""Where the POD signing key comes from, and the public keys shipdesk publishes.

The signing key is an Ed25519 seed: ``POD_SIGNING_KEY`` (base64 of 32 bytes) when set, otherwise
the key file ``POD_SIGNING_KEY_FILE`` (JSON, written by ``manage.py pod_keys``)::

    {"current": {"kid", "seed_b64", "created_at"},
     "retired": [{"kid", "public_key_b64", "created_at", "retired_at"}, …]}

Public keys, current and retired, are published at ``/.well-known/shipdesk-passport.json``
(:func:`public_keys_document`), so a POD signed before a rotation still verifies after it.
Retired keys come from the key file and from ``POD_RETIRED_PUBLIC_KEYS`` (base64 public keys).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from nacl.signing import SigningKey

from tracking.pod.passport import ALG, PASSPORT_SPEC, b64decode_strict, b64encode, key_id


class SigningKeyMissing(Exception):
    """No signing key is configured (neither POD_SIGNING_KEY nor a key file)."""


class KeyFileError(Exception):
    """The key file or POD_SIGNING_KEY cannot be read."""


@dataclass
class Keyring:
    signing_key: SigningKey | None
    current_created_at: str = ""
    retired: list[dict] = field(default_factory=list)


def _decode_key(text, *, what: str) -> bytes:
    try:
        raw = b64decode_strict(text, what=what)
    except ValueError as exc:
        raise KeyFileError(str(exc)) from None
    if len(raw) != 32:
        raise KeyFileError(f"{what} is not 32 bytes")
    return raw


def key_file_path() -> Path:
    return Path(settings.POD_SIGNING_KEY_FILE)


def _read_file(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read the key file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("current"), dict):
        raise KeyFileError(f"the key file {path} has no current key")
    return data


def _write_file(path: Path, data: dict) -> None:
    """Atomically, readable by the owner only (its folder too when this makes it: var/ holds
    the demo logins as well)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pod-key-")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_cache: dict[tuple, Keyring] = {}


def keyring() -> Keyring:
    """The configured keys, read again only when the settings or the key file change."""
    path = key_file_path()
    try:
        status = path.stat()
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
    except FileNotFoundError:
        stamp = None
    cache_key = (
        settings.POD_SIGNING_KEY,
        str(path),
        stamp,
        tuple(settings.POD_RETIRED_PUBLIC_KEYS),
    )
    if cache_key not in _cache:
        _cache.clear()
        _cache[cache_key] = _load(path)
    return _cache[cache_key]


def _load(path: Path) -> Keyring:
    data = _read_file(path)
    retired = [dict(entry) for entry in (data or {}).get("retired", [])]
    signing_key, created_at = None, ""
    if data:
        current = data["current"]
        signing_key = SigningKey(_decode_key(current.get("seed_b64"), what="the key file's seed"))
        created_at = current.get("created_at", "")
    if settings.POD_SIGNING_KEY:
        from_env = SigningKey(_decode_key(settings.POD_SIGNING_KEY, what="POD_SIGNING_KEY"))
        if signing_key is not None and bytes(signing_key) != bytes(from_env):
            public = bytes(signing_key.verify_key)
            retired.append({"kid": key_id(public), "public_key_b64": b64encode(public)})
        signing_key, created_at = from_env, ""
    for text in settings.POD_RETIRED_PUBLIC_KEYS:
        public = _decode_key(text, what="a POD_RETIRED_PUBLIC_KEYS entry")
        retired.append({"kid": key_id(public), "public_key_b64": text})
    return Keyring(signing_key=signing_key, current_created_at=created_at, retired=retired)


def signing_key() -> SigningKey:
    """The current signing key; raises :class:`SigningKeyMissing` when none is configured."""
    key = keyring().signing_key
    if key is None:
        raise SigningKeyMissing(
            "No POD signing key: set POD_SIGNING_KEY or run `manage.py pod_keys` to write "
            f"{key_file_path()}."
        )
    return key


def public_keys_document() -> dict:
    """What ``/.well-known/shipdesk-passport.json`` answers: every key that may have signed a
    POD, the current one first, each with its ``kid``."""
    ring = keyring()
    keys, seen = [], set()
    if ring.signing_key is not None:
        public = bytes(ring.signing_key.verify_key)
        keys.append(_entry(public, status="current", created_at=ring.current_created_at))
        seen.add(key_id(public))
    for entry in ring.retired:
        public = _decode_key(entry["public_key_b64"], what="a retired public key")
        if key_id(public) not in seen:
            seen.add(key_id(public))
            keys.append(
                _entry(
                    public,
                    status="retired",
                    created_at=entry.get("created_at", ""),
                    retired_at=entry.get("retired_at", ""),
                )
            )
    return {"spec": PASSPORT_SPEC, "issuer": "shipdesk", "keys": keys}


def _entry(public: bytes, *, status: str, **dates: str) -> dict:
    entry = {
        "kid": key_id(public),
        "alg": ALG,
        "public_key_b64": b64encode(public),
        "status": status,
    }
    entry.update({name: value for name, value in dates.items() if value})
    return entry


def key_file_create(*, path: Path | None = None, now: datetime | None = None) -> tuple[str, bool]:
    """Write a key file with a fresh key unless one exists: (current kid, created)."""
    path = path or key_file_path()
    existing = _read_file(path)
    if existing:
        return existing["current"]["kid"], False
    key = SigningKey.generate()
    _write_file(path, {"current": _current(key, now), "retired": []})
    return key_id(bytes(key.verify_key)), True


def key_file_rotate(*, path: Path | None = None, now: datetime | None = None) -> tuple[str, str]:
    """A fresh current key; the previous one is kept as retired (public part only).
    Returns (retired kid, new kid)."""
    path = path or key_file_path()
    now = now or timezone.now()
    data = _read_file(path)
    if not data:
        raise KeyFileError(f"there is no key file at {path} to rotate (run pod_keys first)")
    old = data["current"]
    old_public = bytes(SigningKey(_decode_key(old.get("seed_b64"), what="the seed")).verify_key)
    retired = {
        "kid": key_id(old_public),
        "public_key_b64": b64encode(old_public),
        "created_at": old.get("created_at", ""),
        "retired_at": now.isoformat(),
    }
    key = SigningKey.generate()
    _write_file(
        path, {"current": _current(key, now), "retired": [*data.get("retired", []), retired]}
    )
    return retired["kid"], key_id(bytes(key.verify_key))


def _current(key: SigningKey, now: datetime | None) -> dict:
    return {
        "kid": key_id(bytes(key.verify_key)),
        "seed_b64": b64encode(bytes(key)),
        "created_at": (now or timezone.now()).isoformat(),
    }
