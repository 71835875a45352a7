"""Public identifiers: time-ordered UUIDs (RFC 9562 version 7).

Rows keep a bigint primary key for joins; URLs and APIs use ``public_id``. A
version 7 UUID cannot be guessed or enumerated (74 random bits), and because it
grows with time, new rows land at the right edge of the unique index instead of
scattering writes across it as random UUIDs do. It does reveal the creation time
to the millisecond; use ``uuid.uuid4`` for a model where that matters.
"""

import secrets
import time
import uuid


def uuid7() -> uuid.UUID:
    """Return a new version 7 UUID: 48 bits of Unix milliseconds, then random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = secrets.randbits(74)
    value = (milliseconds & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= (random_bits >> 62) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # RFC 9562 variant
    value |= random_bits & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)
