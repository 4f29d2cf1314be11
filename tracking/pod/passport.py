"""Ed25519 passports: a canonical-JSON payload and its signature (PyNaCl + standard library).

A passport is ``{spec, alg, kid, payload_b64, signature_b64}``: ``payload_b64`` is the base64 of
the payload's canonical JSON (:mod:`tracking.pod.canonical`), ``signature_b64`` the base64 of the
Ed25519 signature of exactly those bytes, ``kid`` the id of the public key that checks it
(:func:`key_id`). Public keys come from the keys document served at
``/.well-known/shipdesk-passport.json`` (``{"keys": [{"kid", "alg", "public_key_b64", …}]}``).

The offline verifier imports this module without Django.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from tracking.pod.canonical import canonical_json

PASSPORT_SPEC = "sdpass1"
ALG = "Ed25519"
PASSPORT_FIELDS = {"spec", "alg", "kid", "payload_b64", "signature_b64"}

# The reasons a passport or a POD is refused (the verifier prints them).
MALFORMED = "malformed"
UNKNOWN_KID = "unknown kid"
BAD_SIGNATURE = "bad signature"
PAYLOAD_ALTERED = "payload altered"
CHAIN_MISMATCH = "chain mismatch"


class PassportError(ValueError):
    """Why a passport (or a POD around it) does not verify: `reason` is one of the constants."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


def key_id(public_key: bytes) -> str:
    """A key's id: the first 16 hex digits of SHA-256 of its 32 raw public-key bytes."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text, *, what: str) -> bytes:
    """Standard base64 with padding, and only its one canonical spelling (the unused low bits
    of the last character must be zero), so that no two strings stand for the same bytes."""
    if not isinstance(text, str):
        raise PassportError(MALFORMED, f"{what} is not a string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise PassportError(MALFORMED, f"{what} is not valid base64") from None
    if b64encode(data) != text:
        raise PassportError(MALFORMED, f"{what} is not in canonical base64")
    return data


def passport_sign(*, payload: dict, signing_key: SigningKey) -> dict:
    """Sign `payload` (with the key's ``kid`` added to it) and return the passport."""
    kid = key_id(bytes(signing_key.verify_key))
    message = canonical_json({**payload, "kid": kid})
    signature = signing_key.sign(message).signature
    return {
        "spec": PASSPORT_SPEC,
        "alg": ALG,
        "kid": kid,
        "payload_b64": b64encode(message),
        "signature_b64": b64encode(signature),
    }


def verify_keys(keys: dict) -> dict[str, VerifyKey]:
    """{kid: VerifyKey} from a public keys document; a key whose kid does not match is refused.
    (Decoded once per distinct document: verifying many passports costs one lookup each.)"""
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise PassportError(MALFORMED, 'the public keys document has no "keys" list')
    entries = []
    for entry in keys["keys"]:
        if not isinstance(entry, dict) or entry.get("alg") != ALG:
            continue
        kid, public_key_b64 = entry.get("kid"), entry.get("public_key_b64")
        if not isinstance(kid, str) or not isinstance(public_key_b64, str):
            raise PassportError(MALFORMED, "a public key has no kid or no public_key_b64")
        entries.append((kid, public_key_b64))
    return _verify_keys(tuple(entries))


@functools.lru_cache(maxsize=64)
def _verify_keys(entries: tuple[tuple[str, str], ...]) -> dict[str, VerifyKey]:
    found = {}
    for kid, public_key_b64 in entries:
        raw = b64decode_strict(public_key_b64, what="a public key")
        if len(raw) != 32 or kid != key_id(raw):
            raise PassportError(MALFORMED, f"public key {kid!r} does not match its kid")
        found[kid] = VerifyKey(raw)
    return found


def passport_verify(*, passport: dict, keys: dict) -> dict:
    """The signed payload of `passport`, checked against the public keys document `keys`.

    Raises :class:`PassportError` with reason ``malformed``, ``unknown kid`` or
    ``bad signature``.
    """
    if not isinstance(passport, dict) or set(passport) != PASSPORT_FIELDS:
        raise PassportError(
            MALFORMED, f"a passport has exactly the fields {sorted(PASSPORT_FIELDS)}"
        )
    if passport["spec"] != PASSPORT_SPEC or passport["alg"] != ALG:
        raise PassportError(MALFORMED, f"not a {PASSPORT_SPEC} {ALG} passport")
    known = verify_keys(keys)
    kid = passport["kid"]
    if not isinstance(kid, str) or kid not in known:
        raise PassportError(UNKNOWN_KID, f"no published key has the id {kid!r}")
    message = b64decode_strict(passport["payload_b64"], what="payload_b64")
    signature = b64decode_strict(passport["signature_b64"], what="signature_b64")
    try:
        known[kid].verify(message, signature)
    except (BadSignatureError, ValueError):
        raise PassportError(
            BAD_SIGNATURE, f"the signature does not match the payload for key {kid}"
        ) from None
    try:
        payload = json.loads(message.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PassportError(MALFORMED, "the signed payload is not JSON") from None
    if not isinstance(payload, dict):
        raise PassportError(MALFORMED, "the signed payload is not a JSON object")
    if payload.get("kid") != kid:
        raise PassportError(PAYLOAD_ALTERED, "the payload names another key than the passport")
    return payload
