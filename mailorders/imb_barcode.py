"""The USPS Intelligent Mail barcode (USPS-B-3200): 31 digits in 65 four-state bars.

The tracking code is 20 digits (barcode id, service type id, Mailer ID, serial number); the
routing code is the delivery ZIP (0, 5, 9 or 11 digits). Bars are written as letters: F full,
A ascender, D descender, T tracker (the short middle bar only). `imb_decode` reads bars back
(the tests read them from a rendered PDF's pixels).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Bar n shows bit DESC_BIT[n] of character DESC_CHAR[n] as its descender, and bit ASC_BIT[n] of
# character ASC_CHAR[n] as its ascender (the specification's bar-to-character table).
DESC_CHAR = (
    7, 1, 9, 5, 8, 0, 2, 4, 6, 3, 5, 8, 9, 7, 3, 0, 6, 1, 7, 4, 6, 8, 9, 2, 5, 1, 7, 5, 4, 3,
    8, 7, 6, 0, 2, 5, 4, 9, 3, 0, 1, 6, 8, 2, 0, 4, 5, 9, 6, 7, 5, 2, 6, 3, 8, 5, 1, 9, 8, 7,
    4, 0, 2, 6, 3,
)  # fmt: skip
DESC_BIT = (
    4, 1024, 4096, 32, 512, 2, 32, 16, 8, 512, 2048, 32, 1024, 2, 64, 8, 16, 2, 1024, 1, 4,
    2048, 256, 64, 2, 4096, 8, 256, 64, 16, 16, 2048, 1, 64, 2, 512, 2048, 32, 8, 128, 8, 1024,
    128, 2048, 256, 4, 1024, 8, 32, 256, 1, 8, 4096, 2048, 256, 16, 32, 2, 8, 1, 128, 4096, 512,
    256, 1024,
)  # fmt: skip
ASC_CHAR = (
    4, 0, 2, 6, 3, 5, 1, 9, 8, 7, 1, 2, 0, 6, 4, 8, 2, 9, 5, 3, 0, 1, 3, 7, 4, 6, 8, 9, 2, 0,
    5, 1, 9, 4, 3, 8, 6, 7, 1, 2, 4, 3, 9, 5, 7, 8, 3, 0, 2, 1, 4, 0, 9, 1, 7, 0, 2, 4, 6, 3,
    7, 1, 9, 5, 8,
)  # fmt: skip
ASC_BIT = (
    8, 1, 256, 2048, 2, 4096, 256, 2048, 1024, 64, 16, 4096, 4, 128, 512, 64, 128, 512, 4, 256,
    16, 1, 4096, 128, 1024, 512, 1, 128, 1024, 32, 128, 512, 64, 256, 4, 4096, 2, 16, 4, 1, 2,
    32, 16, 64, 4096, 2, 1, 512, 16, 128, 32, 1024, 4, 64, 512, 2048, 4, 4096, 64, 128, 32,
    2048, 1, 8, 4,
)  # fmt: skip

BARS = 65


class IMbError(ValueError):
    pass


@dataclass(frozen=True)
class IMbFields:
    tracking: str  # 20 digits
    routing: str  # "", 5, 9 or 11 digits

    @property
    def digits(self) -> str:
        return self.tracking + self.routing


def _reverse13(value: int) -> int:
    return int(f"{value:013b}"[::-1], 2)


@cache
def _characters() -> tuple[int, ...]:
    """Codeword -> 13-bit character: the 1287 five-of-13 characters, then the 78 two-of-13."""
    table: list[int] = []
    for bits, size in ((5, 1287), (2, 78)):
        part = [0] * size
        low, high = 0, size - 1
        for value in range(8192):
            if value.bit_count() != bits:
                continue
            reverse = _reverse13(value)
            if reverse < value:
                continue
            if reverse == value:
                part[high] = value
                high -= 1
            else:
                part[low], part[low + 1] = value, reverse
                low += 2
        table.extend(part)
    return tuple(table)


@cache
def _codewords() -> dict[int, int]:
    return {character: codeword for codeword, character in enumerate(_characters())}


def _crc11(value: int) -> int:
    """The frame check sequence over the 102-bit binary value (13 bytes, top 6 bits unused)."""
    data = value.to_bytes(13, "big")
    fcs = 0x7FF
    bits = [(data[0] >> shift) & 1 for shift in range(5, -1, -1)]
    for byte in data[1:]:
        bits.extend((byte >> shift) & 1 for shift in range(7, -1, -1))
    for bit in bits:
        carry = ((fcs >> 10) & 1) ^ bit
        fcs = ((fcs << 1) ^ (0xF35 if carry else 0)) & 0x7FF
    return fcs


_ROUTING_OFFSET = {0: 0, 5: 1, 9: 100001, 11: 1000100001}


def _binary(tracking: str, routing: str) -> int:
    value = int(routing) + _ROUTING_OFFSET[len(routing)] if routing else 0
    value = value * 10 + int(tracking[0])
    value = value * 5 + int(tracking[1])
    for digit in tracking[2:]:
        value = value * 10 + int(digit)
    return value


def imb_encode(tracking: str, routing: str = "") -> str:
    """The 65 bars (letters F A D T) of a 20-digit tracking code and a routing ZIP."""
    routing = routing.replace("-", "")
    if len(tracking) != 20 or not tracking.isascii() or not tracking.isdigit():
        raise IMbError("An IMb tracking code is 20 digits.")
    if tracking[1] not in "01234":
        raise IMbError("The barcode identifier's second digit is 0 to 4.")
    if len(routing) not in _ROUTING_OFFSET or (routing and not routing.isdigit()):
        raise IMbError("An IMb routing code is a ZIP of 5, 9 or 11 digits, or nothing.")
    value = _binary(tracking, routing)
    fcs = _crc11(value)
    codewords = [0] * 10
    codewords[9] = value % 636
    value //= 636
    for index in range(8, -1, -1):
        codewords[index] = value % 1365
        value //= 1365
    codewords[9] *= 2
    if fcs & 0x400:
        codewords[0] += 659
    table = _characters()
    characters = [table[codeword] for codeword in codewords]
    for index in range(10):
        if fcs & (1 << index):
            characters[index] ^= 0x1FFF
    bars = []
    for n in range(BARS):
        descender = characters[DESC_CHAR[n]] & DESC_BIT[n]
        ascender = characters[ASC_CHAR[n]] & ASC_BIT[n]
        bars.append(
            "F" if ascender and descender else "A" if ascender else "D" if descender else "T"
        )
    return "".join(bars)


def imb_decode(bars: str) -> IMbFields:
    """Read 65 bars back into their tracking and routing codes (IMbError when they do not
    check)."""
    if len(bars) != BARS or set(bars) - set("FADT"):
        raise IMbError("An IMb is 65 bars of F, A, D and T.")
    characters = [0] * 10
    for n, bar in enumerate(bars):
        if bar in "FD":
            characters[DESC_CHAR[n]] |= DESC_BIT[n]
        if bar in "FA":
            characters[ASC_CHAR[n]] |= ASC_BIT[n]
    lookup = _codewords()
    fcs = 0
    codewords = []
    for index, character in enumerate(characters):
        if character not in lookup:
            character ^= 0x1FFF
            fcs |= 1 << index
        if character not in lookup:
            raise IMbError(f"Character {index} is not an IMb character.")
        codewords.append(lookup[character])
    if codewords[0] >= 659:
        codewords[0] -= 659
        fcs |= 0x400
    if codewords[9] % 2:
        raise IMbError("The last codeword is odd.")
    value = codewords[0]
    for codeword in codewords[1:9]:
        value = value * 1365 + codeword
    value = value * 636 + codewords[9] // 2
    if _crc11(value) != fcs:
        raise IMbError("The frame check sequence does not match.")
    tail = []
    for _ in range(18):
        tail.append(str(value % 10))
        value //= 10
    second = value % 5
    value //= 5
    first = value % 10
    value //= 10
    tracking = f"{first}{second}" + "".join(reversed(tail))
    routing = ""
    for length in (11, 9, 5):
        if value >= _ROUTING_OFFSET[length]:
            routing = f"{value - _ROUTING_OFFSET[length]:0{length}d}"
            break
    return IMbFields(tracking=tracking, routing=routing)
