"""Full-text indexing that works for Chinese as well as English and German.

SQLite's unicode61 tokenizer treats a run of Chinese characters as one token, so `政府` would
not find `市政府发布`. The trigram tokenizer finds substrings of three or more characters but not
two-character words, indexes 3-4x slower and is 4x larger. Measured alternative used here
(benchmarks/store_bench.py): before indexing, every run of CJK characters is rewritten as its
overlapping character bigrams (`市政府发布` -> `市政 政府 府发 发布`), and the unicode61
tokenizer indexes those. A Chinese query becomes the *phrase* of its bigrams, which matches
exactly the texts containing that substring; a two-character word is a single bigram token.
Latin-script text is untouched, so English and German keep unicode61 word search with
diacritic folding (`Behörde` = `Behorde`).

The index is contentless (`content=''`): it stores no second copy of the text, only postings.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

#: Han, kana and Hangul: scripts written without spaces between words.
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                     r"\U00020000-\U0002ffff]+")
#: The same ranges as CJK_RUN, as sorted [lo, hi + 1) bounds: odd searchsorted index = CJK.
_CJK_BOUNDS = np.array([0x3040, 0x3100, 0x3400, 0x4DC0, 0x4E00, 0xA000, 0xAC00, 0xD7B0,
                        0xF900, 0xFB00, 0x20000, 0x30000], dtype=np.uint32)
_SPACE = np.uint32(0x20)
_NONE = np.uint32(0xFFFFFFFF)  # not a code point: marks the output slots left empty
#: Below this length the regex rewrite is faster than the array one (titles, queries).
_ARRAY_MIN_CHARS = 200
#: FTS5 query syntax kept as it is: boolean operators, NEAR groups, column filters.
OPERATORS = frozenset({"AND", "OR", "NOT"})
QUERY_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')
#: Bump when `index_text` changes: the index must then be rebuilt (Archive.rebuild_fts).
FTS_VERSION = 1


def _bigrams(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) == 1:
        return f" {run} "
    return " " + " ".join(map(str.__add__, run[:-1], run[1:])) + " "


def index_text(text: str | None) -> str:
    """The string the FTS index receives for a title or text: CJK runs as bigram tokens.

    `市政府发布 abc` -> ` 市政 政府 府发 发布  abc`: a run of two or more CJK characters becomes its
    overlapping bigrams, a single one stays, each run framed by spaces; the rest is unchanged.
    The contentless index can only forget a row given exactly the tokens it indexed, so the
    output must never change without a new FTS_VERSION.
    """
    if not text:
        return ""
    if text.isascii():
        return text
    if len(text) >= _ARRAY_MIN_CHARS:
        return _bigram_array(text)
    return CJK_RUN.sub(_bigrams, text)


def _bigram_array(text: str) -> str:
    """`CJK_RUN.sub(_bigrams, text)` with numpy over the code points: the same string, without
    a Python call per run and a string per character (measured on 2-3 KB article texts:
    Chinese 113 -> 38 us, German 28 -> 3 us)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not (codes >= 0x3040).any():
        return text
    cjk = (np.searchsorted(_CJK_BOUNDS, codes, side="right") & 1).astype(bool)
    if not cjk.any():
        return text
    n = len(codes)
    nxt = np.zeros(n, dtype=bool)  # the next character is CJK
    nxt[:-1] = cjk[1:]
    prev = np.zeros(n, dtype=bool)  # the previous character is CJK
    prev[1:] = cjk[:-1]
    # each character writes up to 4 slots: [space before a run, itself, the next
    # character of its bigram, space after a bigram or single]; a run's last character
    # writes nothing (it is in the previous bigram)
    out = np.full((n, 4), _NONE, dtype=np.uint32)
    out[:, 0] = np.where(cjk & ~prev, _SPACE, _NONE)
    out[:, 1] = np.where(cjk & ~nxt & prev, _NONE, codes)
    out[:-1, 2] = np.where(cjk[:-1] & nxt[:-1], codes[1:], _NONE)
    out[:, 3] = np.where(cjk & (nxt | ~prev), _SPACE, _NONE)
    flat = out.ravel()
    return flat[flat != _NONE].tobytes().decode("utf-32-le", "surrogatepass")


def _term(term: str) -> str:
    """One user term as an FTS5 expression: a phrase of its tokens, prefix star kept."""
    star = term.endswith("*") and len(term) > 1
    core = term[:-1] if star else term
    core = core.replace('"', " ")
    indexed = index_text(core).split()
    if not indexed:
        return ""
    phrase = '"' + " ".join(indexed) + '"'
    if len(indexed) == 1 and len(indexed[0]) == 1 and CJK_RUN.fullmatch(indexed[0]):
        star = True  # one Chinese character: every bigram it starts
    return phrase + "*" if star else phrase


def fts_query(query: str) -> str:
    """Turn what a user types into an FTS5 MATCH expression for the bigram index.

    Words are ANDed; `"quoted phrases"`, `AND`/`OR`/`NOT`, parentheses and a trailing `*`
    (prefix) work as in FTS5. Chinese terms become bigram phrases: `政务服务` ->
    `"政务 务服 服务"`. Characters FTS5 would read as syntax are neutralised, so any input is a
    valid query.
    """
    parts: list[str] = []
    for token in QUERY_TOKEN.findall(query):
        if token in OPERATORS or token in ("(", ")"):
            parts.append(token)
        elif token.startswith('"'):
            expr = _term(token.strip('"'))
            if expr:
                parts.append(expr)
        else:
            expr = _term(token)
            if expr:
                parts.append(expr)
    # drop dangling operators/parentheses that would make FTS5 reject the expression
    while parts and parts[0] in OPERATORS:
        parts.pop(0)
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    if parts.count("(") != parts.count(")"):
        parts = [p for p in parts if p not in ("(", ")")]
    return " ".join(parts)


def _has_token_char(word: str) -> bool:
    # what unicode61 indexes: letters, numbers, private use; a "word" of punctuation alone
    # would become an empty FTS5 phrase, which matches nothing and empties an AND
    return any(unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co"
               for ch in word)


def match_expressions(query: str) -> tuple[str, str]:
    """(expression, plain-words expression) for the bigram index.

    The first keeps FTS5's meaning of `"phrases"`, `AND`/`OR`/`NOT`, parentheses and a
    trailing `*` (egovcrawl.storage.fts_query, which rewrites Chinese into bigram phrases);
    words of punctuation alone (`-`, `+`, `:`) are dropped. The second reads every word as a
    plain word (all ANDed): the fallback when the first is not valid FTS5 (`NEAR(a b)`,
    `a AND (NOT b)`), so no input is ever a syntax error.
    """
    kept = [w for w in query.split() if _has_token_char(w) or not w.strip('"()')]
    expr = fts_query(" ".join(kept))
    plain: list[str] = []
    # NEAR(a b) reads as "a b": NEAR only means something before a parenthesis
    for word in re.sub(r'[()"]', " ", re.sub(r"\bNEAR\s*\(", "(", query)).split():
        if word in OPERATORS or not _has_token_char(word):
            continue
        term = fts_query(word)  # one bare word: a phrase (bigrams for Chinese), or ""
        if term:
            plain.append(term)
    return expr, " ".join(plain)
