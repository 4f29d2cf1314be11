"""The E-13B font a cheque's MICR line is printed in, when one is installed.

Banks' sorters read the MICR line magnetically in the E-13B shapes; no such font ships with
shipdesk or the base system. When fontconfig knows one (a family named like "GnuMICR", "MICR
E13B" or "E-13B"), cheques use it; otherwise they are printed in a monospace font and the print
queue and the batch cover sheet say so plainly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

E13B_FAMILY = re.compile(r"micr|e-?13b", re.IGNORECASE)
NO_FONT = (
    "No E-13B MICR font is installed: the cheques' MICR lines are printed in a monospace font "
    "and bank sorters will not read them. Install one (e.g. GnuMICR) for fontconfig before "
    "printing cheques for mailing."
)


@cache
def micr_font_family() -> str:
    """The installed E-13B font family's name, or "" when there is none."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ""
    try:
        listing = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    for line in sorted(listing.splitlines()):
        for family in line.split(","):
            if E13B_FAMILY.search(family):
                return family.strip()
    return ""


def micr_status() -> str:
    family = micr_font_family()
    return f"MICR line in the E-13B font “{family}”." if family else NO_FONT
