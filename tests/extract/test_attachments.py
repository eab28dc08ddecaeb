"""Attachment links of an article: documents and archives in its content, not in furniture."""

from __future__ import annotations

import pytest

from egovcrawl.extract import extract_page
from egovcrawl.extract.attachments import (
    MAX_ATTACHMENTS,
    attachment_extension,
    extract_attachments,
)
from egovcrawl.extract.dom import Document
from egovcrawl.extract.model import Link

URL = "https://www.example.gov.cn/zwgk/2024/notice_123.html"


def doc(body: str, head: str = "", url: str = URL) -> Document:
    return Document.from_text(f"<html><head>{head}</head><body>{body}</body></html>", url)


@pytest.mark.parametrize("url, ext", [
    ("/files/plan.pdf", "pdf"), ("plan.PDF?v=2#page=3", "pdf"), ("a/b.DocX", "docx"),
    ("/x/%E9%99%84%E4%BB%B6.xlsx", "xlsx"), ("t.ofd", "ofd"), ("t.ceb", "ceb"), ("t.wps", "wps"),
    ("archive.7z", "7z"), ("data.tar.gz", "gz"), ("http://h/p.pptx", "pptx"),
    ("/news/a.html", None), ("/img/logo.png", None), ("/readme.txt", None),
    ("/download.jsp?file=a.pdf", None), ("/folder.pdf/", None), ("/pdf", None), ("", None),
    ("https://h.gov/path.pdf/view", None),
])
def test_attachment_extension(url, ext):
    assert attachment_extension(url) == ext


def test_document_links_in_the_content_are_attachments_in_page_order():
    d = doc(
        '<header><a href="/privacy.pdf">Privacy policy</a></header>'
        '<nav><a href="/guide.pdf">Guide</a></nav>'
        '<div class="article"><h1>通知</h1><p>正文</p>'
        '<p>附件：<a href="files/plan.pdf">1. 实施方案.pdf</a></p>'
        '<p><a href="files/table.XLSX?v=3#s1" title="统计表"><img src="x.png"></a></p>'
        '<p><a href="files/plan.pdf#page=2">plan again</a></p>'
        '<p><a href="/news/other.html">another article</a>'
        '<a href="mailto:a@b.pdf">mail</a><a href="javascript:open(\'x.pdf\')">js</a></p>'
        '<p><a href="//cdn.example.gov.cn/d/archive.zip"> Download  ZIP </a></p></div>'
        '<div class="footer"><a href="/copyright.docx">Copyright</a></div>'
    )
    assert extract_attachments(d) == (
        Link("https://www.example.gov.cn/zwgk/2024/files/plan.pdf", "1. 实施方案.pdf"),
        Link("https://www.example.gov.cn/zwgk/2024/files/table.XLSX?v=3", "统计表"),
        Link("https://cdn.example.gov.cn/d/archive.zip", "Download ZIP"),
    )


def test_base_href_and_first_non_empty_title():
    d = doc('<p><a href="doc/a.pdf"><img src="pdf.gif"></a> <a href="doc/a.pdf">Report</a></p>',
            head='<base href="https://files.example.gov.cn/root/">')
    assert extract_attachments(d) == (Link("https://files.example.gov.cn/root/doc/a.pdf",
                                           "Report"),)


def test_the_number_of_attachments_is_capped():
    links = "".join(f'<a href="/f/{i}.pdf">{i}</a>' for i in range(MAX_ATTACHMENTS + 50))
    found = extract_attachments(doc(f"<div>{links}</div>"))
    assert len(found) == MAX_ATTACHMENTS
    assert found[-1].url.endswith(f"/f/{MAX_ATTACHMENTS - 1}.pdf")
    assert len(extract_attachments(doc(f"<div>{links}</div>"), limit=3)) == 3


def test_a_page_without_attachments():
    assert extract_attachments(doc("<p>No links here.</p>")) == ()


ARTICLE = (
    "<html><head><title>Notice on the digital government plan</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/manual.pdf'>Manual</a></nav>"
    "<article><h1>Notice on the digital government plan</h1>"
    "<p>Published 2024-07-03</p>"
    + "<p>The city government today published its digital government plan for the coming "
      "years, covering online services, open data and the sharing of records between "
      "departments, together with the budget and the timetable of each project.</p>" * 6
    + "<p>Attachment: <a href='/files/plan.pdf'>Digital government plan (PDF)</a></p>"
    "</article><footer><a href='/terms.pdf'>Terms</a></footer></body></html>"
)


def test_extract_page_fills_attachments_of_articles_only():
    page = extract_page(ARTICLE.encode(), "https://www.example.gov/news/plan.html")
    assert page.page_kind == "article"
    assert page.attachments == (
        Link("https://www.example.gov/files/plan.pdf", "Digital government plan (PDF)"),)
    assert page.to_dict()["attachments"] == [
        {"url": "https://www.example.gov/files/plan.pdf",
         "title": "Digital government plan (PDF)"}]
    listing = extract_page(ARTICLE.encode(), "https://www.example.gov/news/plan.html",
                           page_kind="listing")
    assert listing.attachments == ()
