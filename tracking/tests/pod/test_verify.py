"""The offline verifier, python -m tracking.verify, on POD JSON files."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tracking.pod import pod_document, public_keys_document
from tracking.pod.keys import signing_key
from tracking.pod.passport import passport_sign
from tracking.tests.pod.support import DELIVERED, NOW, as_letter_writes, run_module

pytestmark = pytest.mark.django_db


def test_a_pod_verifies_offline_in_a_process_without_django(pod, keys_path, tmp_path):
    file = tmp_path / "pod.json"
    file.write_bytes(pod)

    done = run_module(str(file), "--keys", str(keys_path), tmp_path=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(pod)["data"]
    assert done.stdout.startswith(f"VALID: signed by shipdesk key {document['passport']['kid']}")
    assert document["shipment"]["tracking_number"] in done.stdout
    assert "2026-03-06T06:00:00-05:00" in done.stdout
    assert "New York, NY 10001" in done.stdout
    # The same blocker does stop a Django import: the check above is meaningful.
    probe = run_module("--help", tmp_path=tmp_path)
    assert probe.returncode == 0
    blocked = subprocess.run(
        [sys.executable, "-c", "import django"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "no-django")},
        capture_output=True,
        text=True,
    )
    assert "the verifier imported Django" in blocked.stderr


def test_usage_errors_exit_2(pod, keys_path, tmp_path):
    file = tmp_path / "pod.json"
    file.write_bytes(pod)
    not_json = tmp_path / "keys.txt"
    not_json.write_text("hello")

    missing_file = run_module(
        str(tmp_path / "nope.json"), "--keys", str(keys_path), tmp_path=tmp_path
    )
    no_keys = run_module(str(file), tmp_path=tmp_path)
    missing_keys = run_module(str(file), "--keys", str(tmp_path / "nope"), tmp_path=tmp_path)
    bad_keys = run_module(str(file), "--keys", str(not_json), tmp_path=tmp_path)

    assert missing_file.returncode == 2 and "cannot read the file" in missing_file.stderr
    assert no_keys.returncode == 2 and "--keys" in no_keys.stderr
    assert missing_keys.returncode == 2 and "cannot read the keys file" in missing_keys.stderr
    assert bad_keys.returncode == 2 and "is not JSON" in bad_keys.stderr


def test_the_letters_form_and_the_bare_document_verify_too(pod, verify):
    assert verify(pod)[0] == 0
    assert verify(pod + b"\n")[0] == 0  # as `curl …; echo` saves it
    assert verify(as_letter_writes(json.loads(pod)))[0] == 0
    assert verify(as_letter_writes(json.loads(pod)["data"]))[0] == 0


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda value: json.dumps(value),
        lambda value: json.dumps(value, indent=4),
        lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n\n",
        lambda value: " " + json.dumps(value, indent=2),
    ],
)
def test_a_reformatted_pod_is_refused(pod, verify, rewrite):
    status, output = verify(rewrite(json.loads(pod)).encode())
    assert status == 1
    assert "not byte for byte as shipdesk wrote it" in output


def test_no_white_space_of_the_letters_form_may_change(pod, verify):
    """In the indented form every space, newline and indent is significant too."""
    written = as_letter_writes(json.loads(pod))
    spaces = [i for i, byte in enumerate(written) if byte in b" \n"]
    assert len(spaces) > 300
    for index in spaces:
        for replacement in b"\t\r\n ":
            if written[index] == replacement:
                continue
            altered = bytearray(written)
            altered[index] = replacement
            assert verify(bytes(altered))[0] == 1, (index, replacement)


@pytest.mark.parametrize("mask", [0x01, 0x20])
def test_flipping_any_byte_of_the_pod_json_makes_it_invalid(pod, verify, mask):
    """Every byte in turn, one bit (0x01) or the letter case (0x20); other values: below."""
    failures = []
    reasons = set()
    for index in range(len(pod)):
        altered = bytearray(pod)
        altered[index] ^= mask
        status, output = verify(bytes(altered))
        if status != 1 or not output.startswith("INVALID: "):
            failures.append((index, chr(pod[index]), status, output))
        reasons.add(output.split(":")[1].strip())
    assert failures == []
    assert {"malformed", "bad signature", "payload altered"} <= reasons


def signed_payload(pod: bytes) -> tuple[dict, bytes]:
    document = json.loads(pod)["data"]
    return document, base64.b64decode(document["passport"]["payload_b64"])


def test_flipping_any_byte_of_the_signed_payload_is_a_bad_signature(pod, verify):
    document, payload = signed_payload(pod)
    outcomes = set()
    for index in range(len(payload)):
        altered = bytearray(payload)
        altered[index] ^= 0x01
        document["passport"]["payload_b64"] = base64.b64encode(bytes(altered)).decode()
        status, output = verify(as_letter_writes(document))
        outcomes.add((status, output.split(" for key")[0]))
    assert outcomes == {(1, "INVALID: bad signature: the signature does not match the payload")}


def test_flipping_any_byte_of_the_signature_is_a_bad_signature(pod, verify):
    document = json.loads(pod)["data"]
    signature = base64.b64decode(document["passport"]["signature_b64"])
    for index in range(len(signature)):
        altered = bytearray(signature)
        altered[index] ^= 0x80
        document["passport"]["signature_b64"] = base64.b64encode(bytes(altered)).decode()
        status, output = verify(as_letter_writes(document))
        assert (status, output.split(":")[1].strip()) == (1, "bad signature")


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_arbitrary_byte_changes_never_verify(pod, verify):
    @hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        index=st.integers(min_value=0, max_value=4 * len(pod)),
        value=st.integers(min_value=0, max_value=255),
    )
    def check(index, value):
        for written in (pod, letters):
            position = index % len(written)
            if written[position] == value:
                continue
            altered = bytearray(written)
            altered[position] = value
            assert verify(bytes(altered))[0] == 1

    letters = as_letter_writes(json.loads(pod))
    check()


def test_unknown_kid(pod, verify, keys_path):
    keys = json.loads(keys_path.read_text())
    keys["keys"] = []
    keys_path.write_text(json.dumps(keys))
    status, output = verify(pod)
    assert status == 1
    assert output.startswith("INVALID: unknown kid:")


def test_a_readable_field_that_differs_from_the_signed_one_is_payload_altered(pod, verify):
    document = json.loads(pod)["data"]
    document["delivery"]["location"] = "Chicago, IL 60601, USA"
    status, output = verify(as_letter_writes(document))
    assert status == 1
    assert output.startswith("INVALID: payload altered: 'delivery' differs")


def resign(document: dict, change) -> bytes:
    """A payload signed with the real key after `change` (what a buggy or forged issuer does)."""
    payload = json.loads(base64.b64decode(document["passport"]["payload_b64"]))
    payload.pop("kid")
    change(payload)
    document = {k: v for k, v in payload.items()}
    document["passport"] = passport_sign(payload=payload, signing_key=signing_key())
    return as_letter_writes(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["delivery"].update(city="Chicago"), "does not hash to its chain link"),
        (lambda p: p["chain"].update(head="0" * 64), "the head is not the delivery's link"),
        (lambda p: p["chain"].update(genesis="1" * 64), "h(0) is not the one"),
        (lambda p: p["chain"].update(delivery_seq=9), "impossible"),
        (lambda p: p["chain"].update(delivery_prev="zz"), "incomplete"),
    ],
)
def test_a_signed_payload_whose_chain_does_not_hold_is_a_chain_mismatch(
    pod, verify, change, message
):
    status, output = verify(resign(json.loads(pod)["data"], change))
    assert status == 1
    assert output.startswith("INVALID: chain mismatch:")
    assert message in output


def test_pod_document_is_what_the_endpoint_answers_and_it_verifies(track):
    """pod_document() is what /pod answers, and its passport verifies with the keys document."""
    from tracking.pod import passport_verify

    with time_machine.travel(NOW, tick=False):
        document = pod_document(shipment=track(DELIVERED))
    payload = passport_verify(passport=document["passport"], keys=public_keys_document())
    assert {k: v for k, v in payload.items() if k != "kid"} == {
        k: v for k, v in document.items() if k != "passport"
    }
