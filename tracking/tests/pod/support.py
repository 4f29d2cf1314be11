"""Helpers for the POD tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from tracking.tests.usps_items import usps_event

REPO = Path(settings.BASE_DIR)


def as_letter_writes(document: dict) -> bytes:
    """A POD JSON as the POD letter embeds it (sorted keys, two-space indent)."""
    return json.dumps(document, indent=2, sort_keys=True).encode()


NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SITE = "https://desk.example.com"


IN_TRANSIT = [
    usps_event("A1", "Arrived at USPS Regional Facility", NOW - timedelta(hours=20)),
    usps_event(
        "03",
        "USPS in possession of item",
        NOW - timedelta(hours=40),
        city="BOSTON",
        state="MA",
        zip_code="02108",
    ),
]
DELIVERED = [
    usps_event(
        "01",
        "Delivered, In/At Mailbox",
        NOW - timedelta(hours=1),
        recipient="JANE SMITHSON",
        firm="ACME WIDGETS LLC",
    ),
    usps_event("OF", "Out for Delivery", NOW - timedelta(hours=6)),
    *IN_TRANSIT,
]


def run_module(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`python -m tracking.verify …` in a fresh interpreter where importing Django fails."""
    blocker = tmp_path / "no-django" / "django"
    blocker.mkdir(parents=True, exist_ok=True)
    (blocker / "__init__.py").write_text('raise ImportError("the verifier imported Django")\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env["PYTHONPATH"] = f"{blocker.parent}{os.pathsep}{REPO}"
    return subprocess.run(
        [sys.executable, "-m", "tracking.verify", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
