"""Adapters with the `f(html, url) -> dict` shape that ../shared/eval-dev/score.py scores.

`extract` is egovcrawl; the others are the anchors it is measured against in the same run.
The anchors are imported lazily so that scoring ours alone needs none of them installed.
"""

from __future__ import annotations

from egovcrawl.extract import extract_page


def extract(html: str, url: str) -> dict:
    page = extract_page(html, url or "")
    return {
        "text": page.text,
        "title": page.title,
        "published": page.published.iso() if page.published else None,
    }


def trafilatura(html: str, url: str) -> dict:
    """trafilatura.extract with metadata (its defaults), the usual anchor."""
    import json

    import trafilatura as t

    out = t.extract(html, url=url or None, output_format="json", with_metadata=True)
    if not out:
        return {"text": None, "title": None, "published": None}
    data = json.loads(out)
    return {"text": data.get("text"), "title": data.get("title"), "published": data.get("date")}


def trafilatura_plain(html: str, url: str) -> dict:
    """trafilatura.extract, text only (its cheapest comparable call)."""
    import trafilatura as t

    return {"text": t.extract(html, url=url or None)}


def htmldate(html: str, url: str) -> dict:
    from htmldate import find_date

    return {"published": find_date(html, url=url or None, original_date=True)}


def readability(html: str, url: str) -> dict:
    import lxml.html
    from readability import Document

    doc = Document(html, url=url or None)
    summary = doc.summary(html_partial=True)
    text = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    return {"text": text, "title": doc.short_title()}
