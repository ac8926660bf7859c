"""mt.inputs.encoding: which encoding a Ukrainian file is in, or why it is not text."""
from __future__ import annotations

import unicodedata

import pytest

from mt.inputs.encoding import EncodingError, decode

UK = "Віктор Горемикін прибув до Пхеньяна. Зустріч відбулася 6 листопада у м. Пхеньян.\n"


def test_short_cp1251_and_koi8u_are_told_apart():
    text = "Київ, Україна: новини дня."
    for encoding in ("cp1251", "koi8-u"):
        assert decode(text.encode(encoding))[0] == text


@pytest.mark.parametrize("encoding, name", [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32")])
def test_byte_order_marks_decide(encoding, name):
    assert decode(UK.encode(encoding)) == (UK, name)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognised(encoding):
    assert decode(UK.encode(encoding)) == (UK, encoding)


def test_plain_utf8_and_blank_input():
    assert decode(UK.encode("utf-8")) == (UK, "utf-8")
    url = "https://www.pravda.com.ua/news/2024/01/01/" + "x" * 40  # no spaces, still text
    assert decode(url.encode()) == (url, "utf-8")
    nfd = unicodedata.normalize("NFD", "Її їжа й їжак")  # combining marks are text too
    assert decode(nfd.encode()) == (nfd, "utf-8")
    assert decode(b"  \n") == ("  \n", "ascii")


def test_binary_and_noise_are_refused_with_a_reason():
    with pytest.raises(EncodingError, match="NUL bytes"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(EncodingError, match="byte-order mark"):
        decode(b"\xff\xfe" + b"\x00\xd8")  # a UTF-16 BOM, then half a surrogate pair
    with pytest.raises(EncodingError, match="mostly control characters"):
        decode(bytes(range(1, 32)) * 200)  # valid UTF-8, but not prose
