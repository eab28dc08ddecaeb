"""Deduplication primitives: canonical URLs, normalised-text hashes and MinHash LSH signatures.

Pure functions, no SQL: `Archive` decides what a match means (alias, version or `duplicate_of`).

* Exact duplicates are found by the canonical URL (tracking parameters, session ids, fragments,
  `?replytocom=` and print views removed) and by a hash of the normalised text.
* Near duplicates (the same story re-published elsewhere with a changed sentence and another
  footer) by MinHash over character shingles, computed as *one-permutation hashing* with
  densification: one hash per shingle and a min per bin, so a signature costs O(n) numpy work
  instead of K hashes per shingle. The signature is cut into `BANDS` bands of `ROWS` values; two
  texts whose signatures agree on any whole band are candidates (LSH), and a candidate is only
  linked when the estimated Jaccard similarity reaches `NEAR_DUP_THRESHOLD`. Lookups cost one key
  per band, so linking stays near-linear in the archive size: no pairwise scan.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

# --- URL canonicalisation: data -------------------------------------------------------------

#: Query parameters that never change what a page shows (tracking, sessions, comment replies).
DROP_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl",
    "igshid", "spm", "from", "isappinstalled", "scene", "srcid", "share", "ref_src",
    "jsessionid", "phpsessid", "sessionid", "session_id", "sid", "aspsessionid", "cfid", "cftoken",
    "replytocom", "amp", "noamp",
})
DROP_PARAM_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
#: Query parameters (with the values that mean it, None = any value) that select a print view.
PRINT_PARAMS: dict[str, frozenset[str] | None] = {
    "print": None, "printable": None, "printer_friendly": None, "printview": None,
    "print_view": None, "pf": frozenset({"1", "true"}),
    "format": frozenset({"print", "printer"}), "output": frozenset({"print"}),
    "view": frozenset({"print"}), "mode": frozenset({"print"}), "type": frozenset({"print"}),
    "tmpl": frozenset({"component"}),  # Joomla's print popup: ?tmpl=component&print=1
    "layout": frozenset({"print"}),
}
#: Path suffixes of print views: WordPress `/slug/print/`, Drupal `/print/node/1` is a prefix.
PRINT_PATH_SUFFIX = re.compile(r"/(?:print|printer-friendly|amp)/?$", re.I)
PRINT_PATH_PREFIX = re.compile(r"^/print(?=/)", re.I)
SESSION_PATH = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)
DEFAULT_PORTS = {"http": 80, "https": 443}
#: A URL `_clean` would return unchanged: lower-case http(s) host without port or user, a path
#: without session parameters or spaces, no query or fragment (print markers checked apart).
_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]*[a-z0-9]/[^?#;\s]*\Z")

# --- text normalisation and shingling: data --------------------------------------------------

CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xAC00, 0xD7AF))  # the same ranges as CJK_CHAR
NON_WORD = re.compile(r"[\W_]+")
SPACES = re.compile(r"\s+")
#: Shingle width in characters (spaces and punctuation removed). Chinese packs a word into about
#: two characters, alphabetic scripts into about six, so the widths cover roughly two words.
SHINGLE_CJK = 4
SHINGLE_ALPHA = 9
#: Texts shorter than this (normalised characters) are not hashed for exact text matches: two
#: empty or "Page not found" bodies are not the same article.
MIN_TEXT_FOR_HASH = 40
NUM_PERM = 64  # signature length; bins of one-permutation hashing
#: 21 bands of 3 values (63 of the 64): P(candidate) = 0.87 at J=0.45, 0.99 at J=0.6, 0.02 at
#: J=0.1. Measured on short synthetic re-publications (one of 4-12 sentences changed, a footer
#: added): 97 % linked, none falsely, vs 85 % with 16 bands of 4 and a 0.5 threshold.
BANDS = 21
ROWS = 3
NEAR_DUP_THRESHOLD = 0.4  # estimated Jaccard needed to link a candidate (stored as similarity)
MINHASH_VERSION = 1  # bump when shingling or hashing changes: stored signatures are then rebuilt

_P = np.uint64(0x100000001B3)  # FNV prime: rolling polynomial over code points
_POWERS = {w: np.array([pow(int(_P), w - 1 - j, 2**64) for j in range(w)], dtype=np.uint64)
           for w in range(1, max(SHINGLE_CJK, SHINGLE_ALPHA) + 1)}
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser constants
_MIX2 = np.uint64(0x94D049BB133111EB)
_EMPTY = np.uint32(0xFFFFFFFF)
_CJK_LO = np.array([lo for lo, _ in _CJK_RANGES], dtype=np.uint32)
_CJK_HI = np.array([hi for _, hi in _CJK_RANGES], dtype=np.uint32)
_BAND_SALT = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)


# --- URLs ------------------------------------------------------------------------------------


def is_print_view(url: str) -> bool:
    """True when the URL asks for a print view of an article (a variant, not another page)."""
    if _PLAIN_URL.match(url):  # no query or fragment: only the path can say (1 us, not 4)
        path = url[url.index("/", 8):]
        return bool(PRINT_PATH_SUFFIX.search(path) or PRINT_PATH_PREFIX.search(path))
    parts = urlsplit(url)
    if PRINT_PATH_SUFFIX.search(parts.path) or PRINT_PATH_PREFIX.search(parts.path):
        return True
    return any(_is_print_param(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True))


def _is_print_param(key: str, value: str) -> bool:
    key = key.lower()
    if key not in PRINT_PARAMS:
        return False
    values = PRINT_PARAMS[key]
    return values is None or value.lower() in values


def _drop_param(key: str) -> bool:
    key = key.lower()
    return key in DROP_PARAMS or key.startswith(DROP_PARAM_PREFIXES)


def canonical_url(url: str, canonical: str | None = None) -> str:
    """The one URL an article is filed under.

    Lower-cases scheme and host, drops default ports, fragments, tracking and session
    parameters, `replytocom` and print-view markers, and sorts the remaining query. A page's
    `rel=canonical` wins only when it points into the same site (same host, `www.` ignored):
    a canonical on another host is a syndication claim, recorded as the article's source instead.
    """
    base = _clean(url)
    if canonical:
        try:
            target = _clean(canonical)
        except ValueError:
            return base
        if _site_host(target) == _site_host(base) and target.startswith(("http://", "https://")):
            return target
    return base


def _clean(url: str) -> str:
    if _PLAIN_URL.match(url):
        # most archived URLs are already canonical: no query, port, session, case or print
        # marker to remove (about 1 us instead of 5; same result, see tests)
        path = url[url.index("/", 8):]
        if not PRINT_PATH_PREFIX.search(path) and not PRINT_PATH_SUFFIX.search(path):
            return url
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets
    if port and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = SESSION_PATH.sub("", parts.path) or "/"
    path = PRINT_PATH_PREFIX.sub("", path)
    path = PRINT_PATH_SUFFIX.sub("/", path) if PRINT_PATH_SUFFIX.search(path) else path
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _drop_param(k) and not _is_print_param(k, v)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def _site_host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def site_host(url: str) -> str:
    """Host without `www.`: what "the same site" means for canonical links and aliases."""
    return _site_host(url)


# --- text ------------------------------------------------------------------------------------


def normalise_text(text: str | None) -> str:
    """Case- and width-folded text without punctuation or spacing: what the content hash reads.

    Whitespace, punctuation and full-width forms vary between a page and its print view or a
    re-encoded copy without the text being different.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # NON_WORD removes single characters, so a per-character table gives the same string:
    # bytes.translate for ASCII, a numpy lookup over the Basic Multilingual Plane (measured on
    # 2-3 KB texts: English 45 -> 6 us, German 70 -> 15 us, Chinese 18 -> 8 us)
    if folded.isascii():
        return folded.encode("ascii").translate(None, _ASCII_NON_WORD).decode("ascii")
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.max() > 0xFFFF:
        return NON_WORD.sub("", "".join(folded.split()))  # dropping spaces first: fewer matches
    return codes[_word_chars()[codes]].tobytes().decode("utf-32-le")


_ASCII_NON_WORD = bytes(b for b in range(128) if NON_WORD.fullmatch(chr(b)))
_WORD_CHARS: list[np.ndarray] = []


def _word_chars() -> np.ndarray:
    """Per BMP code point: True when NON_WORD keeps it (built once, ~10 ms, 64 KB)."""
    if not _WORD_CHARS:
        keep = np.ones(0x10000, dtype=bool)
        for m in NON_WORD.finditer("".join(map(chr, range(0x10000)))):
            keep[m.start() : m.end()] = False
        _WORD_CHARS.append(keep)
    return _WORD_CHARS[0]


def content_hash(text: str | None) -> str | None:
    """Hex digest of the normalised text, or None when there is too little text to mean much."""
    norm = normalise_text(text)
    if len(norm) < MIN_TEXT_FOR_HASH:
        return None
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=16).hexdigest()


def _shingle_hashes(norm: str) -> np.ndarray:
    """64-bit hashes of every character shingle of `norm` (vectorised rolling polynomial)."""
    codes32 = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    head = codes32[:2000]
    # the CJK_CHAR ranges counted with array compares (the regex count cost 20 us a text)
    cjk = int(np.count_nonzero(
        ((head >= _CJK_LO[:, None]) & (head <= _CJK_HI[:, None])).any(axis=0)))
    width = SHINGLE_CJK if cjk * 3 > len(head) else SHINGLE_ALPHA
    codes = codes32.astype(np.uint64)
    width = min(width, len(codes))
    m = len(codes) - width + 1
    powers = _POWERS[width]
    with np.errstate(over="ignore"):
        # polynomial hash of every window: one vector multiply-add per window position
        # (uint64 arithmetic wraps mod 2**64; same values as the sliding-window dot product)
        h = codes[:m] * powers[0]
        for j in range(1, width):
            h += codes[j : j + m] * powers[j]
        h ^= h >> np.uint64(30)
        h *= _MIX1
        h ^= h >> np.uint64(27)
        h *= _MIX2
        h ^= h >> np.uint64(31)
    return h


def fingerprints(text: str | None) -> tuple[str | None, np.ndarray | None]:
    """(content_hash, minhash) from one normalisation of the text."""
    norm = normalise_text(text)
    if len(norm) < MIN_TEXT_FOR_HASH:
        return None, None
    digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=16).hexdigest()
    return digest, _minhash_norm(norm)


def minhash(text: str | None) -> np.ndarray | None:
    """MinHash signature (`NUM_PERM` uint32) of the text, or None for texts too short to compare.

    One-permutation hashing: the top bits of a shingle's hash choose its bin, the low 32 bits
    compete for that bin's minimum. Empty bins borrow the next non-empty bin's value (rotation
    densification) so that every band is defined.
    """
    norm = normalise_text(text)
    if len(norm) < MIN_TEXT_FOR_HASH:
        return None
    return _minhash_norm(norm)


def _minhash_norm(norm: str) -> np.ndarray | None:
    h = _shingle_hashes(norm)
    bins = (h >> np.uint64(58)).astype(np.intp)  # top 6 bits: 64 bins
    vals = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    sig = np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    np.minimum.at(sig, bins, vals)
    empty = sig == _EMPTY
    if empty.all():
        return None
    if empty.any():
        filled = np.flatnonzero(~empty)
        idx = np.flatnonzero(empty)
        pos = np.searchsorted(filled, idx) % len(filled)
        # borrow from the next filled bin, offset by the distance so borrowed bins stay distinct
        dist = (filled[pos] - idx) % NUM_PERM
        sig[idx] = sig[filled[pos]] ^ (dist.astype(np.uint32) * np.uint32(0x9E3779B1))
    return sig


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (band index mixed in), for an INTEGER PRIMARY KEY."""
    rows = sig[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        k = _BAND_SALT.copy()
        for j in range(ROWS):
            k = (k ^ rows[:, j]) * _MIX1
            k ^= k >> np.uint64(29)
    return k.view(np.int64).tolist()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets (share of equal signature bins)."""
    return float(np.count_nonzero(a == b)) / len(a)


def signature_bytes(sig: np.ndarray | None) -> bytes | None:
    return None if sig is None else sig.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype="<u4")
