"""Language of the text: script first, stopwords, then py3langid; html lang only as fallback."""

from __future__ import annotations

import pytest

from egovcrawl.extract.dom import Document
from egovcrawl.extract.language import detect_language, normalize_lang, text_language

EN = ("The city government announced on Wednesday that all of its administrative services will be "
      "available online by the end of the year. The report was released by the research center "
      "of the party school and it evaluated the integrated performance of the regions.")
DE = ("Die Landesregierung hat am Mittwoch mitgeteilt, dass die Verwaltung bis zum Ende des Jahres "
      "alle Leistungen auch online anbieten wird. Das ist ein wichtiger Schritt für die "
      "Digitalisierung, der von den Kommunen seit langem gefordert wird.")
ZH = ("武汉市在全国主要城市数字治理发展水平排名中位列第五。报告显示，中西部城市实现了跨越式发展，"
      "成为数字治理的一线城市。其中武汉在数字化发展方面处于领先地位。")
ZH_WITH_ENGLISH = ZH + " 5G、AI and big data platforms, Beidou West Hongqiao Base, Huawei R&D."
JA = "デジタル庁は行政手続きのオンライン化を進めており、マイナンバーカードの利用が拡大しています。"
KO = "정부는 전자정부 추진을 위한 새로운 계획을 발표했습니다. 모든 행정 서비스가 제공됩니다."
RU = ("Правительство объявило о новой программе развития электронного правительства, которая "
      "охватит все регионы страны в течение ближайших трёх лет.")
IT = ("Il comune ha presentato oggi il nuovo portale dei servizi digitali per i cittadini, che "
      "consentirà di presentare le domande online senza recarsi negli uffici.")


def doc(body: str = "", lang: str | None = None) -> Document:
    attr = f' lang="{lang}"' if lang else ""
    return Document.from_text(f"<html{attr}><head></head><body>{body}</body></html>", "http://x/")


@pytest.mark.parametrize(
    ("text", "lang"),
    [(EN, "en"), (DE, "de"), (ZH, "zh"), (ZH_WITH_ENGLISH, "zh"), (JA, "ja"), (KO, "ko"),
     (RU, "ru"), (IT, "it")],
)
def test_text_language(text, lang):
    assert text_language(text) == lang


def test_text_beats_wrong_html_lang():
    assert detect_language(ZH, doc(f"<p>{ZH}</p>", "en")) == "zh"
    assert detect_language(DE, doc(f"<p>{DE}</p>", "en-US")) == "de"


def test_english_text_quoting_chinese_names_stays_english():
    assert detect_language(EN + " 武汉 上海", doc(lang="zh-CN")) == "en"


def test_no_text_falls_back_to_declared():
    assert detect_language(None, doc("<a href='/'>Home</a>", "de-DE")) == "de"
    assert detect_language("Kurz.", doc("<p>Kurz.</p>", "de")) == "de"


def test_no_text_chinese_listing_with_lang_en():
    item = "<li><a href='/a{}'>" + ZH[:20] + "</a><span>2024-07-03</span></li>"
    body = "".join(item.format(i) for i in range(5))
    assert detect_language(None, doc(f"<ul>{body}</ul>", "en")) == "zh"


def test_no_text_no_declaration_uses_visible_text():
    assert detect_language(None, doc(f"<div>{EN}</div>")) == "en"
    assert detect_language(None, doc("<p>ok</p>")) is None
    assert detect_language("", doc()) is None


@pytest.mark.parametrize(
    ("code", "iso"),
    [("zh-CN", "zh"), ("en_GB", "en"), ("cn", "zh"), ("DEU", "de"), ("x-klingon", None),
     ("", None), (None, None), ("jp", "ja")],
)
def test_normalize_lang(code, iso):
    assert normalize_lang(code) == iso


def test_sample_is_bounded():
    huge = EN * 20_000  # ~5 MB: only the head is looked at
    assert text_language(huge) == "en"
