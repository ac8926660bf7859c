"""Bytes into text: which encoding a Ukrainian file is in.

UTF-8 with or without a BOM, UTF-16/32 (BOM or not), and the legacy Cyrillic
code pages. charset-normalizer proposes; because cp1251 and koi8-u both decode
any byte, a Ukrainian letter-frequency check picks between them. Binary or
undecodable content raises EncodingError with the reason.
"""
from __future__ import annotations

import unicodedata

from mt.errors import MtError


class EncodingError(MtError, ValueError):
    """The bytes are not text in an encoding mt reads; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (±BOM), UTF-16/32, cp1251 or koi8-u; raise EncodingError otherwise."""
    boms = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
            (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise EncodingError(f"starts with a {encoding} byte-order mark but does not decode: {exc}") from None
    if not data.strip():
        return data.decode("ascii", errors="replace"), "ascii"
    if b"\x00" in data[:4096]:
        guess = _bomless_utf16(data)
        if guess:
            return guess
        raise EncodingError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_share(text) > 0.05:  # URLs, one-word files and NFD text are still text
            raise EncodingError("binary content: valid UTF-8, but mostly control characters")
        return text, "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp1251", "koi8_u", "utf_16", "mac_cyrillic", "iso8859_5"]).best()
    if best is None:
        raise EncodingError("undecodable bytes: not UTF-8, UTF-16, cp1251 or koi8-u")
    encoding = _cyrillic_tiebreak(data, best.encoding)
    text = data.decode(encoding, errors="strict" if encoding != best.encoding else "replace")
    if _control_share(text) > 0.05 or not _looks_like_text(text):
        raise EncodingError(f"binary or undecodable content (best guess {encoding} gives control characters)")
    return text, encoding


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the high bytes of Latin text are 0, of Cyrillic text 0x04."""
    even, odd = data[0::2][:2048], data[1::2][:2048]
    for encoding, high in (("utf-16-le", odd), ("utf-16-be", even)):
        if high and max(high.count(0), high.count(0x04)) > 0.3 * len(high):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.02 and _looks_like_text(text):
                return text, encoding
    return None


UK_COMMON = "оаеинітврсклудмпязгбчхйцжшюєїщфь"


def _cyrillic_tiebreak(data: bytes, guess: str) -> str:
    """cp1251 and koi8-u both decode any byte; keep the one that reads as Ukrainian."""
    if guess not in {"cp1251", "koi8_u", "mac_cyrillic", "iso8859_5"}:
        return guess
    scores = {}
    for encoding in ("cp1251", "koi8_u"):
        text = data.decode(encoding, errors="replace")
        lower = sum(1 for ch in text if ch in UK_COMMON)
        upper = sum(1 for ch in text if ch.lower() in UK_COMMON and ch.isupper())
        scores[encoding] = lower - 2 * upper  # real prose is mostly lower case
    return max(scores, key=scores.get)


def _looks_like_text(text: str) -> bool:
    """Prose has spaces and mostly letters, digits and punctuation."""
    sample = text[:20000]
    if len(sample) > 50 and not any(ch.isspace() for ch in sample):
        return False
    plain = sum(1 for ch in sample if ch.isalnum() or ch.isspace() or unicodedata.category(ch)[0] in "PS")
    return plain >= 0.85 * len(sample)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text[:20000] if unicodedata.category(ch) in {"Cc", "Co", "Cs"} and ch not in "\n\r\t\f")
    bad += text[:20000].count("\ufffd")
    return bad / min(len(text), 20000)
