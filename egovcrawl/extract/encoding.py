"""Bytes to text: which charset a page is really in, when header, BOM and `<meta>` disagree or lie.

Why a cascade rather than trusting the declaration: e-government servers send a global
`charset=utf-8` header for GBK pages, CMS templates say `gb2312` while editors paste GBK-only
characters (镕, 啰), and old Apache defaults to `iso-8859-1`. The bytes decide:

1. A BOM wins (it cannot be there by accident).
2. BOM-less UTF-16 is recognised by its NUL pattern (only declared UTF-16 would be lost otherwise).
3. Strict UTF-8 first: it is almost free and so selective that non-ASCII bytes which decode as
   UTF-8 are UTF-8, whatever the declarations say (a windows-1252 header would otherwise turn
   UTF-8 into mojibake, because windows-1252 decodes nearly any byte string).
4. The declared charsets (header, meta), widened to their supersets (gb2312/gbk -> gb18030,
   latin-1 -> windows-1252, big5 -> cp950, shift_jis -> cp932, euc-kr -> cp949, as WHATWG does),
   tried strictly, multi-byte before single-byte. When two different ones both decode, the
   detector chooses between just those two.
5. Mostly-valid UTF-8 (a page with a stray legacy byte in a footer) stays UTF-8; the stray bytes
   are read as windows-1252 so that nothing is lost.
6. charset-normalizer on a bounded prefix, only now (it costs milliseconds, the steps above cost
   microseconds); then the candidate with the fewest undecodable bytes; finally UTF-8 with
   replacement characters. `decode_body` never raises.
"""

from __future__ import annotations

import codecs
import re

# --- data -----------------------------------------------------------------------------------

#: Leading byte signatures of formats that are never HTML. Checked after leading whitespace.
BINARY_SIGNATURES: tuple[bytes, ...] = (
    b"%PDF-", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04",
    b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"II*\x00", b"MM\x00*", b"RIFF", b"OggS", b"ID3",
    b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"\x00asm", b"SQLite format 3\x00", b"%!PS",
    b"\x28\xb5\x2f\xfd", b"BM", b"fLaC", b"\x1aE\xdf\xa3", b"\x7fELF", b"\xca\xfe\xba\xbe",
)
#: ISO base media (mp4, mov, heic, avif): the signature sits at offset 4.
_FTYP = b"ftyp"
#: "BM" (bitmap) and "ID3" are also how text can start; they only count with binary bytes after.
_WEAK_SIGNATURES = (b"BM", b"ID3", b"RIFF", b"OggS", b"fLaC")
BINARY_SNIFF_BYTES = 1024
#: A body that opens with a tag, doctype or comment is a (maybe broken) page, whatever follows.
_MARKUP_START_RE = re.compile(rb"<(?:[A-Za-z!?/])")
#: Share of control bytes (other than tab/newline/CR/form feed/ESC) that marks binary data.
MAX_CONTROL_RATIO = 0.10

BOMS: tuple[tuple[bytes, str], ...] = (  # utf-32 before utf-16: its LE BOM starts with utf-16's
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

#: Declared label -> the codec that decodes it without losing characters (WHATWG-style supersets).
SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "ms936": "gb18030", "windows-936": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030",
    "euc-cn": "gb18030", "chinese": "gb18030", "iso-ir-58": "gb18030", "gb18030": "gb18030",
    "latin1": "windows-1252", "latin-1": "windows-1252", "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252", "iso_8859-1": "windows-1252", "l1": "windows-1252",
    "us-ascii": "windows-1252", "ascii": "windows-1252", "ansi_x3.4-1968": "windows-1252",
    "iso-8859-9": "windows-1254", "iso8859-9": "windows-1254", "latin5": "windows-1254",
    "iso-8859-11": "windows-874", "tis-620": "windows-874",
    "big5": "cp950", "big5-hkscs": "big5hkscs", "x-x-big5": "cp950", "cn-big5": "cp950",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932", "ms932": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "windows-949": "cp949",
    "x-euc-jp": "euc_jp", "utf8": "utf-8", "utf8mb4": "utf-8", "unicode-1-1-utf-8": "utf-8",
    "x-mac-roman": "mac-roman", "macintosh": "mac-roman",
}
#: A codec that failed strictly gets one more try with its sibling (HK pages in "big5").
ALTERNATES: dict[str, str] = {"cp950": "big5hkscs", "cp932": "euc_jp"}
#: Python's codec names -> the names we report (windows-125x is what the web calls them).
REPORTED_NAMES: dict[str, str] = {f"cp125{i}": f"windows-125{i}" for i in range(9)} | {
    "cp874": "windows-874", "iso8859-2": "iso-8859-2", "iso8859-15": "iso-8859-15",
    "iso8859-5": "iso-8859-5", "iso8859-7": "iso-8859-7", "iso8859-8": "iso-8859-8",
    "euc_jp": "euc-jp", "iso2022_jp": "iso-2022-jp", "koi8-r": "koi8-r", "koi8-u": "koi8-u",
}
#: Python's own text codecs that are not character sets (the "Python Specific Encodings" of the
#: codecs docs, and `charmap`): a page declaring one of them is ignored like an unknown label.
#: Transforms such as base64, hex, rot13, zlib, uu are refused by `_is_text_encoding` already.
NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "unicode-escape",
                          "raw-unicode-escape", "charmap", "mbcs", "oem"})
#: Codecs that decode (nearly) any byte string: strict success says little, so tried last.
SINGLE_BYTE_PREFIXES = ("windows-", "iso-8859", "iso8859", "koi8", "mac-", "cp8", "tis-")
#: Encodings where ASCII bytes are not plain ASCII text (7-bit stateful encodings).
SEVEN_BIT = frozenset({"iso-2022-jp", "hz", "iso2022_jp_2", "iso2022_kr", "utf-7"})

#: Where `<meta charset>` must sit (HTML spec: the first 1024 bytes; sites put it later).
META_SNIFF_BYTES = 4096
_META_RE = re.compile(
    rb"<meta\b[^>]{0,400}?charset\s*=\s*[\"']?\s*([A-Za-z0-9][A-Za-z0-9_.:\-]{0,39})", re.I
)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]{1,40})")

#: Undeclared non-UTF-8 bytes read as windows-1252 (WHATWG's default) without asking the detector
#: when every non-ASCII character is a Western letter or typographic sign and they come alone
#: or in pairs inside ASCII words: GBK/Big5/Shift-JIS/Cyrillic read that way give long runs.
WESTERN_CHARS = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸƒ"
    "’‘“”„‚–—…€•«»‹›©®™°§·¡¿£¥¢±²³´¨¸¼½¾ªº×÷¶†‡‰ˆ˜¦¤¯¬µ\u00a0\u00ad"
)
WESTERN_MAX_RUN_SHARE = 0.2
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]{3,}")

#: charset-normalizer sees at most this many bytes: its cost grows with input, accuracy does not.
DETECT_BYTES = 32 * 1024
#: Mostly-valid UTF-8: valid non-ASCII characters per undecodable byte run, at least.
UTF8_GOOD_PER_BAD = 8

# --- logic ----------------------------------------------------------------------------------


def _cp1252_or_latin1(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: read undecodable bytes as windows-1252 (latin-1 for its five holes)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bad.decode("windows-1252", errors="ignore") if all(
        b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for b in bad
    ) else bad.decode("latin-1"), exc.end


_FALLBACK_HANDLER = "egovcrawl-cp1252"
codecs.register_error(_FALLBACK_HANDLER, _cp1252_or_latin1)


def normalize_encoding(label: str | None) -> str | None:
    """A declared charset label as the lowercase Python codec we decode it with, or None.

    Only character sets count: Python also resolves labels such as `base64`, `zlib`, `rot13`,
    `idna` or `undefined` to codecs, which are not what any page is written in (and fail or
    raise in `bytes.decode`); like a browser, we ignore such a label and let the bytes decide.
    """
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not info._is_text_encoding or info.name in NOT_CHARSETS:
        return None
    name = info.name
    name = SUPERSETS.get(name, name)  # codecs.lookup("gbk") -> "gbk": widen again
    return REPORTED_NAMES.get(name, name)


def _bom(raw: bytes) -> tuple[str, int] | None:
    for mark, codec in BOMS:
        if raw.startswith(mark):
            return codec, len(mark)
    return None


def _sniff_utf16(head: bytes) -> str | None:
    """BOM-less UTF-16 markup: ASCII characters with a NUL in every other byte."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(raw: bytes) -> bool:
    """True for PDFs, images, archives, office files and other non-text bodies.

    UTF-16/32 HTML (with a BOM, or BOM-less with its NUL pattern) is text, and so is a body that
    opens with markup however broken its later bytes; an empty body is not binary (it gives an
    empty Page, not an error).
    """
    head = raw[:BINARY_SNIFF_BYTES]
    if not head or _bom(head) or _sniff_utf16(head):
        return False
    stripped = head.lstrip(b" \t\r\n\x0c")
    for sig in BINARY_SIGNATURES:
        if stripped.startswith(sig):
            if sig in _WEAK_SIGNATURES and not _has_control_bytes(head):
                continue
            return True
    if head[4:8] == _FTYP:
        return True
    if _MARKUP_START_RE.match(stripped):  # starts like HTML: broken bytes later are not binary
        return False
    if b"\x00" in head:
        return True
    return _control_ratio(head) > MAX_CONTROL_RATIO


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _control_ratio(head: bytes) -> float:
    # bytes.translate with delete is C-speed: what is left is the non-control bytes
    return (len(head) - len(head.translate(None, _CONTROL))) / len(head)


def _has_control_bytes(head: bytes) -> bool:
    return len(head.translate(None, _CONTROL)) != len(head)


def declared_in_markup(raw: bytes) -> str | None:
    """The charset an XML declaration or `<meta charset>`/`http-equiv` declares, raw label."""
    head = raw[:META_SNIFF_BYTES]
    m = _XML_DECL_RE.match(head) or _META_RE.search(head)
    return m.group(1).decode("ascii", errors="ignore") if m else None


def _strict(raw: bytes, codec: str) -> str | None:
    """Strict decode that forgives only a character cut off at the very end (truncated bodies)."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 4 and exc.end >= len(raw) - 1:
            try:
                return raw[: exc.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None
    except LookupError:
        return None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(SINGLE_BYTE_PREFIXES)


def _bad_count(raw: bytes, codec: str) -> int:
    """How many undecodable runs a codec leaves (pre-existing U+FFFD count too; rare)."""
    try:
        return raw.decode(codec, errors="replace").count("\ufffd")
    except LookupError:
        return len(raw)


def _mostly_utf8(raw: bytes) -> bool:
    """UTF-8 with a few stray legacy bytes: keep it UTF-8 rather than mojibake the whole page."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return good >= UTF8_GOOD_PER_BAD * max(bad, 1)


def _western(raw: bytes) -> str | None:
    """The body as windows-1252 text if it reads as Western text that way, else None."""
    text = _strict(raw, "windows-1252")
    if text is None:
        return None
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if not non_ascii or not {ch for ch in set(text) if ch > "\x7f"} <= WESTERN_CHARS:
        return None
    in_runs = sum(len(run) for run in _NON_ASCII_RUN_RE.findall(text))
    return text if in_runs <= WESTERN_MAX_RUN_SHARE * non_ascii else None


def _prefix(raw: bytes, limit: int) -> bytes:
    """At most `limit` bytes, cut after an ASCII '>' or newline so no character is split."""
    if len(raw) <= limit:
        return raw
    cut = max(raw.rfind(b">", 0, limit), raw.rfind(b"\n", 0, limit))
    return raw[: cut + 1] if cut > limit // 2 else raw[:limit]


def detect_encoding(raw: bytes, among: list[str] | None = None) -> str | None:
    """charset-normalizer's best guess on a bounded prefix, optionally limited to `among`."""
    from charset_normalizer import from_bytes  # imported lazily: most pages never need it

    kwargs = {"cp_isolation": among} if among else {}
    try:
        best = from_bytes(_prefix(raw, DETECT_BYTES), **kwargs).best()
    except (LookupError, ValueError, TypeError):  # pragma: no cover - defensive
        return None
    return normalize_encoding(best.encoding) if best is not None else None


def decode_body(raw: bytes, declared: str | None) -> tuple[str, str]:
    """Decode a page body; returns (text, codec actually used). Never raises."""
    header = normalize_encoding(declared)
    if not raw:
        return "", header or "utf-8"
    bom = _bom(raw)
    if bom:
        codec, skip = bom
        return raw[skip:].decode(codec, errors="replace"), codec
    utf16 = _sniff_utf16(raw[:BINARY_SNIFF_BYTES])
    if utf16:
        return raw.decode(utf16, errors="replace"), utf16

    meta = normalize_encoding(declared_in_markup(raw))
    # a meta tag cannot declare UTF-16/32 of a document it is readable in (WHATWG: means UTF-8);
    # a header that does so without NULs in the bytes is wrong too
    declared_list: list[str] = []
    for name in (header, meta):
        if name and name.startswith(("utf-16", "utf-32")):
            name = "utf-8"
        if name and name not in declared_list:
            declared_list.append(name)

    if raw.isascii():
        for name in declared_list:
            if name in SEVEN_BIT:
                text = _strict(raw, name)
                if text is not None:
                    return text, name
        compatible = [n for n in declared_list if n not in SEVEN_BIT]
        return raw.decode("ascii"), compatible[0] if compatible else "utf-8"

    text = _strict(raw, "utf-8")
    if text is not None:
        return text, "utf-8"

    # declared charsets, widened; multi-byte (selective) before single-byte (accepts anything)
    candidates = [n for n in declared_list if n != "utf-8"]
    candidates.sort(key=_is_single_byte)
    decoded: dict[str, str] = {}
    for name in candidates:
        for codec in (name, ALTERNATES.get(name)):
            if codec and (text := _strict(raw, codec)) is not None:
                decoded[codec] = text
                break
    if len(decoded) == 1 or (decoded and len(set(decoded.values())) == 1):
        codec = next(iter(decoded))
        return decoded[codec], codec
    if decoded:  # two declarations both decode: let the detector pick between just those
        multi = [c for c in decoded if not _is_single_byte(c)]
        if len(multi) == 1:
            return decoded[multi[0]], multi[0]
        choice = detect_encoding(raw, list(decoded))
        codec = choice if choice in decoded else next(iter(decoded))
        return decoded[codec], codec

    if _mostly_utf8(raw):
        return raw.decode("utf-8", errors=_FALLBACK_HANDLER), "utf-8"

    if not candidates and (text := _western(raw)) is not None:
        return text, "windows-1252"
    detected = detect_encoding(raw)
    if detected and detected not in candidates:
        if (text := _strict(raw, detected)) is not None:
            return text, detected
        candidates.append(detected)
    # nothing decodes cleanly: the candidate losing the fewest bytes, multi-byte preferred
    ranked = sorted(
        ((_bad_count(raw, c), _is_single_byte(c), i, c) for i, c in enumerate(candidates)),
    )
    if ranked:
        codec = ranked[0][3]
        return raw.decode(codec, errors="replace"), codec
    return raw.decode("utf-8", errors="replace"), "utf-8"
