"""Signing keys: the key file, the environment, rotation, the published public keys."""

from __future__ import annotations

import json
import stat

import pytest
import time_machine
from django.core.management import CommandError, call_command
from nacl.signing import SigningKey

from tracking.pod import pod_document, pod_verify, public_keys_document
from tracking.pod.passport import (
    UNKNOWN_KID,
    PassportError,
    b64encode,
    key_id,
    passport_sign,
    passport_verify,
)
from tracking.tests.pod.support import DELIVERED, NOW

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("pod_keys", *args, stdout=out)
    return out.getvalue()


def test_pod_keys_writes_a_key_file_once_readable_by_its_owner_only(settings, tmp_path):
    settings.POD_SIGNING_KEY_FILE = tmp_path / "var" / "key.json"

    first = run()
    second = run()

    data = json.loads(settings.POD_SIGNING_KEY_FILE.read_text())
    kid = data["current"]["kid"]
    assert f"Wrote a new POD signing key to {settings.POD_SIGNING_KEY_FILE} (kid {kid})" in first
    assert f"is in place (kid {kid})" in second
    assert stat.S_IMODE(settings.POD_SIGNING_KEY_FILE.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert [k["kid"] for k in public_keys_document()["keys"]] == [kid]


def test_a_pod_signed_before_a_rotation_still_verifies_after_it(track, settings):
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
        before = pod_document(shipment=shipment)
    old_kid = before["passport"]["kid"]

    output = run("--rotate")

    keys = public_keys_document()
    current, retired = keys["keys"]
    assert current["status"] == "current" and current["kid"] != old_kid
    assert (retired["kid"], retired["status"]) == (old_kid, "retired")
    assert retired["retired_at"]
    assert f"new kid {current['kid']}" in output and old_kid in output
    # The old POD verifies with the new keys document; a new one is signed with the new key.
    assert pod_verify(document=before, keys=keys)["kid"] == old_kid
    with time_machine.travel(NOW, tick=False):
        after = pod_document(shipment=shipment)
    assert after["passport"]["kid"] == current["kid"]
    assert pod_verify(document=after, keys=keys)["kid"] == current["kid"]
    # The key file keeps only the public half of the retired key.
    data = json.loads(settings.POD_SIGNING_KEY_FILE.read_text())
    assert set(data["retired"][0]) == {"kid", "public_key_b64", "created_at", "retired_at"}

    run("--rotate")
    assert [k["status"] for k in public_keys_document()["keys"]] == ["current", *["retired"] * 2]
    assert pod_verify(document=before, keys=public_keys_document())["kid"] == old_kid


def test_without_the_retired_key_an_old_pod_is_an_unknown_kid(track):
    with time_machine.travel(NOW, tick=False):
        before = pod_document(shipment=track(DELIVERED))
    run("--rotate")
    keys = public_keys_document()
    keys["keys"] = [k for k in keys["keys"] if k["status"] == "current"]

    with pytest.raises(PassportError) as error:
        pod_verify(document=before, keys=keys)
    assert error.value.reason == UNKNOWN_KID


def test_the_environment_key_signs_and_the_file_key_stays_published(track, settings):
    file_kid = public_keys_document()["keys"][0]["kid"]
    env_key = SigningKey.generate()
    settings.POD_SIGNING_KEY = b64encode(bytes(env_key))
    other_retired = SigningKey.generate().verify_key
    settings.POD_RETIRED_PUBLIC_KEYS = [b64encode(bytes(other_retired))]

    with time_machine.travel(NOW, tick=False):
        document = pod_document(shipment=track(DELIVERED))

    keys = public_keys_document()
    assert [(k["kid"], k["status"]) for k in keys["keys"]] == [
        (key_id(bytes(env_key.verify_key)), "current"),
        (file_kid, "retired"),
        (key_id(bytes(other_retired)), "retired"),
    ]
    assert document["passport"]["kid"] == key_id(bytes(env_key.verify_key))
    assert pod_verify(document=document, keys=keys)
    assert f"(kid {key_id(bytes(env_key.verify_key))})" in run()
    with pytest.raises(CommandError, match="POD_SIGNING_KEY"):
        run("--rotate")
    settings.POD_SIGNING_KEY = "not base64!"
    with pytest.raises(CommandError, match="POD_SIGNING_KEY is not valid base64"):
        run()


def test_a_keys_document_whose_kid_does_not_match_its_key_is_refused():
    key = SigningKey.generate()
    passport = passport_sign(payload={"x": 1}, signing_key=key)
    impostor = {
        "keys": [
            {
                "kid": passport["kid"],
                "alg": "Ed25519",
                "public_key_b64": b64encode(bytes(SigningKey.generate().verify_key)),
            }
        ]
    }
    with pytest.raises(PassportError, match="does not match its kid"):
        passport_verify(passport=passport, keys=impostor)


def test_a_broken_key_file_is_a_clear_error(settings, tmp_path):
    settings.POD_SIGNING_KEY_FILE = tmp_path / "broken.json"
    settings.POD_SIGNING_KEY_FILE.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read the key file"):
        run()
