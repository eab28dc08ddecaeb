import datetime as dt
import json

from egovcrawl.extract.model import Copyright, DateInfo, Link, Page, SiteCounter


def test_to_dict_is_json_ready():
    page = Page(
        url="https://x.test/a", encoding="utf-8", page_kind="listing",
        published=DateInfo(dt.datetime(2024, 7, 3, 10, 30), "visible-text",
                           "发布时间：2024-07-03 10:30"),
        site_counter=SiteCounter(284, 662, 39463192, "Today 284"),
        copyright=Copyright(holder="good news", years=(2020, 2020), year=2020, text="©"),
        links=(Link("https://x.test/1", "One"),),
    )
    data = json.loads(json.dumps(page.to_dict(), ensure_ascii=False))
    assert data["published"] == {"value": "2024-07-03T10:30:00", "source": "visible-text",
                                 "raw": "发布时间：2024-07-03 10:30"}
    assert data["copyright"]["years"] == [2020, 2020]
    assert data["links"] == [{"url": "https://x.test/1", "title": "One"}]
    assert data["views"] is None and data["next"] is None


def test_dateinfo_day():
    assert DateInfo(dt.datetime(2024, 7, 3, 23, 0), "meta", "x").day == dt.date(2024, 7, 3)
    assert DateInfo(dt.date(2024, 7, 3), "url", "x").day == dt.date(2024, 7, 3)
