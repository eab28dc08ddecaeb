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

#: Han, kana and Hangul: scripts written without spaces between words.
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                     r"\U00020000-\U0002ffff]+")
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
    """The string the FTS index receives for a title or text: CJK runs as bigram tokens."""
    if not text:
        return ""
    return CJK_RUN.sub(_bigrams, text)


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
