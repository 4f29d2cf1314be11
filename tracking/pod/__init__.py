"""Signed, offline-verifiable proofs of delivery (spec sdpod1) and the per-shipment proof chain.

Pure modules (standard library and PyNaCl only; the offline verifier imports them):
``canonical`` (RFC 8785 canonical JSON), ``chain`` (hashes), ``passport`` (Ed25519 passports),
``verification`` (a whole POD document), ``pdf`` (the POD JSON embedded in a letter PDF).
Django modules: ``keys`` (signing key, public keys), ``document`` (the POD and proof documents),
``services`` (chaining, retention purge), ``views`` and ``urls`` (the public endpoints).

The names most callers need are importable from here (loaded on first use, so that importing a
pure module never imports Django): :func:`pod_document`, :func:`proof_document`,
:func:`passport_verify`, :func:`pod_verify`, :func:`public_keys_document`,
:func:`canonical_json` and the errors :class:`PodError`, :class:`PodNotDelivered`,
:class:`PodOutsideRetention`, :class:`PassportError`.
"""

from importlib import import_module

_EXPORTS = {
    "pod_document": "document",
    "proof_document": "document",
    "passport_verify": "passport",
    "passport_sign": "passport",
    "PassportError": "passport",
    "pod_verify": "verification",
    "public_keys_document": "keys",
    "canonical_json": "canonical",
    "PodError": "errors",
    "PodNotDelivered": "errors",
    "PodOutsideRetention": "errors",
    "PodSigningUnavailable": "errors",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"tracking.pod.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'tracking.pod' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
