"""How big a text message is: which encoding it needs and how many SMS parts it takes.

The alphabet is GSM 03.38 (3GPP TS 23.038). A message that keeps to it travels in 7-bit
septets, 160 to a single SMS; one character outside it makes the whole message UCS-2, 70 to a
single SMS. A longer message is split, and each part gives up room to the header that lets the
phone put the parts together again: 153 septets or 67 UCS-2 units a part.
"""

import math
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The default alphabet, row by row in code order. ESC (0x1B) is left out: it is no character of
# its own but the switch to the extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each of these is sent as ESC plus a septet, so it costs two.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_SINGLE = {GSM7: 160, UCS2: 70}
_PER_PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SmsSize:
    """`units` are septets (GSM-7) or UTF-16 code units (UCS-2); `parts` is 0 for no text."""

    encoding: str
    units: int
    parts: int


def sms_size(text: str) -> SmsSize:
    """Return the encoding `text` needs, its length in that encoding and the SMS parts it takes."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        encoding = GSM7
        units = len(text) + sum(1 for char in text if char in GSM7_EXTENSION)
    else:
        encoding = UCS2
        # Characters beyond the Basic Multilingual Plane (most emoji) take a surrogate pair.
        units = len(text.encode("utf-16-le", errors="surrogatepass")) // 2
    if units == 0:
        parts = 0
    elif units <= _SINGLE[encoding]:
        parts = 1
    else:
        parts = math.ceil(units / _PER_PART[encoding])
    return SmsSize(encoding=encoding, units=units, parts=parts)


# Characters our own formatting writes (the no-break space in "€ 12,50", typographic quotes and
# dashes) that have a plain GSM-7 equivalent; one of them alone would make a message UCS-2,
# more than halving what fits in a part.
_PLAIN = str.maketrans(
    {"\xa0": " ", "\u202f": " ", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
)


def sms_plain(text: str) -> str:
    """`text` with look-alikes replaced by GSM-7 characters, as it is sent."""
    return text.translate(_PLAIN)
