"""Language of the page's text (ISO 639-1), not just what `<html lang>` claims.

Why not trust `<html lang>`: CMS templates ship `lang="en"` on Chinese city portals and
`lang="en-US"` on German WordPress sites. The text decides, cheapest evidence first:

1. Script: letters that are mostly Han -> zh, with kana -> ja, hangul -> ko (Cyrillic, Greek,
   Arabic... are left to the classifier, which knows the languages sharing them).
2. Latin script: stopword counts for the languages e-government news comes in; a clear winner
   decides in microseconds.
3. Otherwise py3langid (naive Bayes over byte n-grams, 97 languages; its model is loaded once,
   lazily, ~0.6 s) on a bounded sample.
4. When the text is missing or too short to judge (listings, short notices): CJK if the page's
   visible text is clearly CJK, else the declared language (`<html lang>`, Content-Language;
   measured on eval-dev, overriding a Latin declaration from menus and cookie banners was right
   as often as wrong), else the visible text's own language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from egovcrawl.extract.dom import NON_TEXT_TAGS

if TYPE_CHECKING:
    from egovcrawl.extract.dom import Document

# --- data -----------------------------------------------------------------------------------

#: Characters of text looked at: enough to be sure, bounded so a 20 MB page costs the same.
SAMPLE_CHARS = 2000
#: Below this many letters a Latin-script text is not judged by itself (html lang decides).
MIN_LATIN_LETTERS = 60
#: CJK characters carry a word each: this few settle the script.
MIN_CJK_CHARS = 4
#: Share of letters in CJK scripts above which the text is CJK (English words inside Chinese
#: text are counted letter by letter, so the share is low even for plainly Chinese text).
CJK_SHARE = 0.25
#: Japanese text is a third or more kana; Chinese quoting a Japanese name has a few.
KANA_SHARE = 0.10

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_WORD_RE = re.compile(r"[a-zà-öø-ÿœ']+")


def _count(rx: re.Pattern[str], text: str) -> int:
    """Characters of `text` matching a one-character class (no list of matches built)."""
    return len(text) - len(rx.sub("", text))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Frequent short words that are (nearly) exclusive to one language. A clear winner decides.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in is that for with was on are by this from have has be "
                 "which will were been their its said it at an not but they"),
    "de": _words("der die das und ist den dem des nicht mit sich auf für von zu ein eine "
                 "einer im auch wird werden sind bei nach oder wurde über aus"),
    "fr": _words("le la les et des est une du dans pour que qui sur pas au aux avec "
                 "ce sont par plus ont cette été leur"),
    "es": _words("el la los las y del en que por con para una es se al lo como más "
                 "pero sus fue este ha"),
    "it": _words("il di che la è per del della con non una sono gli le dei nel alla "
                 "anche da più questo"),
    "nl": _words("de het een van en is dat niet op met voor zijn aan ook er bij "
                 "wordt worden door naar deze"),
    "pt": _words("os as do da dos das em que não para com uma por mais foi são ao pela "
                 "pelo seu sua também"),
}
#: Stopword hits needed, how far ahead of the runner-up the winner must be, and the share of
#: all words they must make (real text in one of these languages: 25-40 %; a language outside
#: the list that shares a few short words with one: well under 10 %).
MIN_STOPWORD_HITS = 8
STOPWORD_MARGIN = 2.0
MIN_STOPWORD_SHARE = 0.15
#: Languages the stopword path may decide (the project's own, whose lists are distinctive);
#: the other lists only compete, so a Romanian or Polish page goes on to the classifier.
STOPWORD_DECIDES = frozenset({"en", "de", "fr"})
#: word -> languages listing it as a stopword (one dict lookup per word of the sample)
_STOPWORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _stop in STOPWORDS.items():
    for _w in _stop:
        _STOPWORD_LANGS[_w] = (*_STOPWORD_LANGS.get(_w, ()), _lang)

#: Declared codes sites get wrong or that are not ISO 639-1 -> ISO 639-1.
LANG_ALIASES: dict[str, str] = {
    "cn": "zh", "chi": "zh", "zho": "zh", "jp": "ja", "jpn": "ja", "kr": "ko", "kor": "ko",
    "eng": "en", "ger": "de", "deu": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "nld": "nl", "dut": "nl", "por": "pt", "rus": "ru", "gr": "el", "cz": "cs", "dk": "da",
}
#: Declared languages written in CJK scripts: when one is declared, CJK text agrees with it.
CJK_LANGS = frozenset({"zh", "ja", "ko"})

# --- logic ----------------------------------------------------------------------------------


def normalize_lang(code: str | None) -> str | None:
    """A declared language code as ISO 639-1 (`zh-CN` -> `zh`, `cn` -> `zh`), or None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    code = LANG_ALIASES.get(code, code)
    return code if len(code) == 2 and code.isalpha() else None


@lru_cache(maxsize=1)
def _identifier():  # py3langid has no type hints
    """py3langid's identifier, loaded on first use only (loading costs ~0.6 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def _script_language(sample: str) -> str | None:
    """zh/ja/ko when CJK characters dominate the letters, else None."""
    han = _count(_HAN_RE, sample)
    kana = _count(_KANA_RE, sample)
    hangul = _count(_HANGUL_RE, sample)
    cjk = han + kana + hangul
    if cjk < MIN_CJK_CHARS:
        return None
    letters = _count(_LETTER_RE, sample)
    if cjk < CJK_SHARE * letters:
        return None
    if hangul >= han and hangul > kana:
        return "ko"
    if kana >= KANA_SHARE * (han + kana):
        return "ja"
    return "zh"


def _stopword_language(sample: str) -> str | None:
    """The language whose stopwords clearly dominate, or None when it is not clear."""
    counts = dict.fromkeys(STOPWORDS, 0)
    words = _WORD_RE.findall(sample.lower())
    for word in words:
        for lang in _STOPWORD_LANGS.get(word, ()):
            counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    (best, hits), (_, second) = ranked[0], ranked[1]
    if (best in STOPWORD_DECIDES and hits >= MIN_STOPWORD_HITS and hits >= STOPWORD_MARGIN * second
            and hits >= MIN_STOPWORD_SHARE * len(words)):
        return best
    return None


def _classifier_language(sample: str) -> str | None:
    lang, _score = _identifier().classify(sample)
    return normalize_lang(lang)


def text_language(text: str) -> str | None:
    """Language of a text by itself, or None when the text is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    script = _script_language(sample)
    if script:
        return script
    if _count(_LATIN_RE, sample) >= MIN_LATIN_LETTERS:
        return _stopword_language(sample) or _classifier_language(sample)
    if _count(_LETTER_RE, sample) >= MIN_LATIN_LETTERS:  # Cyrillic, Greek, Arabic, ...
        return _classifier_language(sample)
    return None


def _visible_sample(doc: Document, limit: int = SAMPLE_CHARS) -> str:
    """The first `limit` characters of the body's visible text (menus included), iteratively."""
    parts: list[str] = []
    size = 0
    for el in doc.body.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if el.text and tag and tag not in NON_TEXT_TAGS:
            parts.append(el.text)
            size += len(el.text)
        if el.tail:
            parts.append(el.tail)
            size += len(el.tail)
        if size >= limit:
            break
    return " ".join(" ".join(parts).split())[:limit]


def detect_language(text: str | None, doc: Document) -> str | None:
    """ISO 639-1 code of the page's main text; the declared language only when text cannot tell."""
    if text:
        found = text_language(text)
        if found:
            return found
    declared = normalize_lang(doc.html_lang)
    sample = _visible_sample(doc)
    script = _script_language(sample)
    if script:  # lang="en" on a Chinese portal: the visible script wins
        return script
    if declared and declared not in CJK_LANGS:
        return declared
    return text_language(sample) or declared
