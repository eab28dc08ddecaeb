"""Charset decoding: lying headers and metas, GBK-only characters, BOMs, binary bodies."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from egovcrawl.extract.encoding import (
    declared_in_markup,
    decode_body,
    looks_binary,
    normalize_encoding,
)

ZH = "武汉市推进一网通办，政务服务事项全部实现网上可办。朱镕基、啰嗦、㐀字均不在GB2312中。"
ZH_GB2312 = "武汉市推进一网通办，政务服务事项全部实现网上可办。"
DE = ("Die Landesregierung veröffentlicht Maßnahmen zur Digitalisierung der Verwaltung – "
      "„Öffentlichkeit“ für Bürger.")
JA = "デジタル庁は行政手続きのオンライン化を進めています。"
TW = "臺北市政府推動數位治理，提升市民服務品質。"


def page(body: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return (f"<!DOCTYPE html><html><head>{head}<title>t</title></head>"
            f"<body><p>{body}</p></body></html>")


@pytest.mark.parametrize(
    ("label", "codec"),
    [("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"),
     ("ISO-8859-1", "windows-1252"), ("latin1", "windows-1252"), ("us-ascii", "windows-1252"),
     ("UTF8", "utf-8"), ('"utf-8"', "utf-8"), ("big5", "cp950"), ("Shift_JIS", "cp932"),
     ("euc-kr", "cp949"), ("windows-1251", "windows-1251"), ("no-such-charset", None),
     (None, None), ("", None),
     # Python codecs that are not character sets: ignored like unknown labels
     ("base64", None), ("hex", None), ("rot13", None), ("zlib", None), ("undefined", None),
     ("idna", None), ("punycode", None), ("unicode_escape", None)],
)
def test_normalize_encoding(label, codec):
    assert normalize_encoding(label) == codec


def test_gb2312_declared_but_gbk_only_characters():
    raw = page(ZH, "gb2312").encode("gb18030")
    text, used = decode_body(raw, "gb2312")
    assert used == "gb18030"
    assert "朱镕基" in text and "啰嗦" in text and "㐀" in text
    assert "\ufffd" not in text


def test_header_says_utf8_but_bytes_are_gbk():
    raw = page(ZH, "gbk").encode("gbk", errors="ignore")  # 㐀 is GB18030-only
    text, used = decode_body(raw, "utf-8")
    assert used == "gb18030"
    assert "朱镕基" in text


def test_header_and_meta_lie_utf8_bytes_gbk_no_other_clue():
    raw = page(ZH_GB2312 * 5, "utf-8").encode("gbk")
    text, used = decode_body(raw, "utf-8")
    assert used == "gb18030"
    assert ZH_GB2312 in text


def test_undeclared_gbk_is_detected():
    raw = page(ZH_GB2312 * 5).encode("gbk")
    text, used = decode_body(raw, None)
    assert used == "gb18030"
    assert ZH_GB2312 in text


def test_meta_says_gbk_but_bytes_are_utf8():
    raw = page(ZH, "gbk").encode("utf-8")
    text, used = decode_body(raw, None)
    assert used == "utf-8"
    assert ZH in text


def test_header_latin1_meta_utf8_bytes_utf8():
    raw = page(DE, "utf-8").encode("utf-8")
    text, used = decode_body(raw, "iso-8859-1")
    assert used == "utf-8"
    assert DE in text


def test_windows1252_declared_as_latin1():
    raw = page(DE + " Preis: 5 €", "iso-8859-1").encode("windows-1252")
    text, used = decode_body(raw, None)
    assert used == "windows-1252"
    assert "„Öffentlichkeit“" in text and "5 €" in text


def test_undeclared_windows1252_german():
    raw = page(DE).encode("windows-1252")
    text, used = decode_body(raw, None)
    assert (text, used) == (raw.decode("windows-1252"), "windows-1252")


def test_big5_declared_and_undeclared():
    raw = page(TW * 3, "big5").encode("big5")
    assert decode_body(raw, None) == (page(TW * 3, "big5"), "cp950")
    assert TW in decode_body(page(TW * 3).encode("big5"), None)[0]


def test_shift_jis_declared():
    raw = page(JA, "shift_jis").encode("shift_jis")
    text, used = decode_body(raw, None)
    assert used == "cp932" and JA in text


def test_http_equiv_declaration():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"</head><body>{ZH}</body></html>")
    raw = html.encode("gb18030")
    assert declared_in_markup(raw) == "gb2312"
    assert decode_body(raw, None) == (html, "gb18030")


def test_xml_declaration():
    raw = f'<?xml version="1.0" encoding="GBK"?><html><body>{ZH_GB2312}</body></html>'.encode("gbk")
    assert declared_in_markup(raw) == "GBK"
    assert decode_body(raw, None)[1] == "gb18030"


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_bom_wins_over_lying_declarations(codec):
    html = page(ZH + DE, "gb2312")
    raw = html.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        raw = ("\ufeff" + html).encode(codec)
    text, used = decode_body(raw, "iso-8859-1")
    assert text.lstrip("\ufeff") == html
    assert used.startswith("utf-")


def test_bomless_utf16_is_text():
    html = page("Digital government " * 5, "utf-16")
    raw = html.encode("utf-16-le")
    assert not looks_binary(raw)
    assert decode_body(raw, None) == (html, "utf-16-le")


def test_meta_utf16_on_ascii_bytes_means_utf8():
    raw = page("Straße", "utf-16").encode("utf-8")
    assert decode_body(raw, None) == (page("Straße", "utf-16"), "utf-8")


def test_ascii_page_reports_declared_codec():
    raw = page("plain", "gb2312").encode("ascii")
    assert decode_body(raw, None) == (page("plain", "gb2312"), "gb18030")
    assert decode_body(b"<p>x</p>", None) == ("<p>x</p>", "utf-8")


def test_truncated_utf8_body_stays_utf8():
    raw = page(ZH * 3).encode("utf-8")[:-20]
    raw = raw[: raw.rfind("。".encode()) + 3] + "政".encode()[:2]
    text, used = decode_body(raw, None)
    assert used == "utf-8" and text.endswith("。")


def test_utf8_with_stray_latin1_byte_loses_nothing():
    raw = page(DE * 3).encode("utf-8") + "<footer>© Gemeinde Müller</footer>".encode("latin-1")
    text, used = decode_body(raw, "utf-8")
    assert used == "utf-8"
    assert DE in text and "Gemeinde Müller" in text


def test_two_declarations_both_decoding():
    # header claims big5, the meta (and the bytes) say gbk: both decode, GBK is the right one
    raw = page(ZH_GB2312 * 4, "gbk").encode("gbk")
    text, used = decode_body(raw, "big5")
    assert used == "gb18030" and ZH_GB2312 in text


@pytest.mark.parametrize(
    "raw",
    [b"", b"\xff\xfe\xfd\x00garbage\x80\x81", bytes(range(256)) * 10, b"\x81" * 1000,
     b"<html>\xe4\xb8</html>"],
)
def test_never_raises(raw):
    text, used = decode_body(raw, "no-such-charset")
    assert isinstance(text, str) and isinstance(used, str)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "raw",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     b"\xff\xd8\xff\xe0\x00\x10JFIF", b"GIF89a\x01\x00", _gzip(b"<html></html>"), _zip(),
     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, b"\x00\x00\x00\x18ftypmp42",
     b"some text\x00with NULs\x00\x01\x02"],
)
def test_looks_binary_rejects_binaries(raw):
    assert looks_binary(raw)


@pytest.mark.parametrize(
    "raw",
    [b"", page(ZH, "gbk").encode("gb18030"), page(DE).encode("utf-8"), b"  \n<html><body>x",
     "\ufeff<html>".encode("utf-16"), b"BMW presents e-government cars", b"ID3 is a tag format",
     b"<html><body>" + bytes(range(256)) * 4],
)
def test_looks_binary_accepts_text(raw):
    assert not looks_binary(raw)
