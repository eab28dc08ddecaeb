"""Golden fixture suite: realistic e-government pages checked field by field.

Each `tests/fixtures/pages/<name>.html` (bytes as served) has a `<name>.json` golden stating what a
careful human reads on the page (see tests/fixtures/README.md). Every (page, field) pair is its own
test, so a failure names the page and the field, and `-k views` runs one field over all pages.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

PAGES = Path(__file__).parent / "fixtures" / "pages"
MIN_FIXTURES = 40

TOP_KEYS = frozenset({"url", "http_encoding", "hints", "expect"})
EXPECT_KEYS = frozenset({
    "page_kind", "title", "country", "language", "encoding", "published", "published_source",
    "updated", "views", "site_counter", "copyright", "source", "canonical_url", "links",
    "link_titles", "next", "text_startswith", "text_endswith", "text_contains", "text_excludes",
})
SITE_COUNTER_KEYS = frozenset({"today", "yesterday", "total"})
COPYRIGHT_KEYS = frozenset({"holder", "year", "years", "credit", "icp"})
SOURCE_KEYS = frozenset({"name", "url"})

_WS = re.compile(r"[\s\u00a0\u3000\u200b]+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _html_files() -> list[Path]:
    return sorted(PAGES.glob("*.html"))


@cache
def _golden(name: str) -> dict[str, Any]:
    return json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _extracted(name: str) -> dict[str, Any]:
    from egovcrawl.extract import extract_page
    from egovcrawl.extract.hints import SiteHints

    golden = _golden(name)
    page = extract_page(
        (PAGES / f"{name}.html").read_bytes(),
        golden["url"],
        encoding=golden.get("http_encoding"),
        hints=SiteHints(**golden.get("hints", {})),
    )
    return page.to_dict()


# ---- field checks: each returns an error message, or None when the field matches -------------


def _eq(field: str):
    def check(want: Any, got: dict[str, Any]) -> str | None:
        have = got.get(field)
        if isinstance(want, str) and isinstance(have, str):
            if _norm(want) == _norm(have):
                return None
        elif want == have:
            return None
        return f"want {want!r}, got {have!r}"

    return check


def _check_encoding(want: str, got: dict[str, Any]) -> str | None:
    have = got.get("encoding")
    try:
        same = codecs.lookup(want).name == codecs.lookup(have or "").name
    except LookupError:
        same = False
    return None if same else f"want {want!r}, got {have!r}"


def _check_language(want: str | None, got: dict[str, Any]) -> str | None:
    have = got.get("language")
    if want is None:
        return None if have is None else f"want None, got {have!r}"
    if have and have.lower().split("-")[0] == want.lower():
        return None
    return f"want {want!r}, got {have!r}"


def _date(field: str):
    """Dates match when the extracted ISO string equals or starts with the golden one.

    A golden `2024-07-03` accepts `2024-07-03T10:30:00+08:00`; a golden with a time pins it.
    """

    def check(want: str | None, got: dict[str, Any]) -> str | None:
        have = got.get(field)
        if want is None:
            return None if have is None else f"want None, got {have!r}"
        if have is None:
            return f"want {want!r}, got None"
        if str(have["value"]).startswith(want):
            return None
        return (f"want {want!r}, got {have['value']!r} "
                f"(source {have['source']}, raw {have['raw']!r})")

    return check


def _check_published_source(want: str, got: dict[str, Any]) -> str | None:
    have = got.get("published")
    if have is None:
        return f"want source {want!r}, got no published date"
    return None if have["source"] == want else f"want {want!r}, got {have['source']!r}"


def _record(field: str, keys: frozenset[str], compare):
    def check(want: dict[str, Any] | None, got: dict[str, Any]) -> str | None:
        have = got.get(field)
        if want is None:
            return None if have is None else f"want None, got {have!r}"
        if have is None:
            return f"want {want!r}, got None"
        errors = [f"{k}: want {v!r}, got {have.get(k)!r}"
                  for k, v in want.items() if not compare(k, v, have.get(k))]
        return "; ".join(errors) or None

    return check


def _plain_compare(key: str, want: Any, have: Any) -> bool:
    if isinstance(want, str) and isinstance(have, str):
        return _norm(want) == _norm(have)
    return want == have


def _copyright_compare(key: str, want: Any, have: Any) -> bool:
    # the credit line's exact cut is a matter of taste: the golden names what it must contain
    if key == "credit" and isinstance(want, str):
        return isinstance(have, str) and _norm(want).casefold() in _norm(have).casefold()
    return _plain_compare(key, want, have)


def _check_links(want: list[str], got: dict[str, Any]) -> str | None:
    have = [link["url"] for link in got.get("links") or []]
    return None if have == want else _list_diff(want, have)


def _check_link_titles(want: list[str], got: dict[str, Any]) -> str | None:
    have = [_norm(link["title"]) for link in got.get("links") or []]
    return None if have == [_norm(t) for t in want] else _list_diff(want, have)


def _list_diff(want: list[str], have: list[str]) -> str:
    missing = [x for x in want if x not in have]
    extra = [x for x in have if x not in want]
    return (f"want {len(want)} items, got {len(have)}; missing {missing[:5]!r}; "
            f"unexpected {extra[:5]!r}" + ("; order differs" if not missing and not extra else ""))


def _text(got: dict[str, Any]) -> str | None:
    text = got.get("text")
    return _norm(text) if text else None


def _check_startswith(want: str, got: dict[str, Any]) -> str | None:
    text = _text(got)
    if text is None:
        return "no text extracted"
    return None if text.startswith(_norm(want)) else f"want start {want!r}, got {text[:120]!r}"


def _check_endswith(want: str, got: dict[str, Any]) -> str | None:
    text = _text(got)
    if text is None:
        return "no text extracted"
    return None if text.endswith(_norm(want)) else f"want end {want!r}, got {text[-120:]!r}"


def _check_contains(want: list[str], got: dict[str, Any]) -> str | None:
    text = _text(got)
    if text is None:
        return "no text extracted"
    missing = [s for s in want if _norm(s) not in text]
    return f"missing from text: {missing!r}" if missing else None


def _check_excludes(want: list[str], got: dict[str, Any]) -> str | None:
    text = _text(got)
    if text is None:
        return None  # nothing extracted, so no boilerplate either
    present = [s for s in want if _norm(s) in text]
    return f"boilerplate in text: {present!r}" if present else None


CHECKS = {
    "page_kind": _eq("page_kind"),
    "title": _eq("title"),
    "country": _eq("country"),
    "language": _check_language,
    "encoding": _check_encoding,
    "published": _date("published"),
    "published_source": _check_published_source,
    "updated": _date("updated"),
    "views": _eq("views"),
    "site_counter": _record("site_counter", SITE_COUNTER_KEYS, _plain_compare),
    "copyright": _record("copyright", COPYRIGHT_KEYS, _copyright_compare),
    "source": _record("source", SOURCE_KEYS, _plain_compare),
    "canonical_url": _eq("canonical_url"),
    "links": _check_links,
    "link_titles": _check_link_titles,
    "next": _eq("next"),
    "text_startswith": _check_startswith,
    "text_endswith": _check_endswith,
    "text_contains": _check_contains,
    "text_excludes": _check_excludes,
}
assert set(CHECKS) == EXPECT_KEYS


def _cases() -> list[Any]:
    cases = []
    for path in _html_files():
        json_path = path.with_suffix(".json")
        if not json_path.exists():
            continue  # reported by test_every_page_has_a_golden
        try:
            expect = _golden(path.stem).get("expect", {})
        except (ValueError, AttributeError):
            continue  # malformed JSON: reported by test_golden_is_well_formed
        for key in expect:
            if key in CHECKS:
                cases.append(pytest.param(path.stem, key, id=f"{path.stem}::{key}"))
    return cases


# ---- the suite --------------------------------------------------------------------------------


def test_there_are_enough_fixtures() -> None:
    assert len(_html_files()) >= MIN_FIXTURES, f"only {len(_html_files())} fixture pages"


def test_every_page_has_a_golden_and_every_golden_a_page() -> None:
    pages = {p.stem for p in _html_files()}
    goldens = {p.stem for p in PAGES.glob("*.json")}
    assert not pages - goldens, f"pages without a golden: {sorted(pages - goldens)}"
    assert not goldens - pages, f"goldens without a page: {sorted(goldens - pages)}"


@pytest.mark.parametrize("name", [p.stem for p in _html_files()])
def test_golden_is_well_formed(name: str) -> None:
    golden = _golden(name)
    assert set(golden) <= TOP_KEYS, f"{name}: unknown top-level keys {set(golden) - TOP_KEYS}"
    assert isinstance(golden.get("url"), str) and golden["url"].startswith("http"), name
    expect = golden.get("expect")
    assert isinstance(expect, dict) and expect, f"{name}: no expectations"
    assert not set(expect) - EXPECT_KEYS, f"{name}: unknown keys {set(expect) - EXPECT_KEYS}"
    for key, allowed in (("site_counter", SITE_COUNTER_KEYS), ("copyright", COPYRIGHT_KEYS),
                         ("source", SOURCE_KEYS)):
        value = expect.get(key)
        if isinstance(value, dict):
            assert not set(value) - allowed, f"{name}: unknown {key} keys {set(value) - allowed}"
    from egovcrawl.extract.hints import SiteHints

    SiteHints(**golden.get("hints", {}))  # hints must be valid


@pytest.mark.parametrize(("name", "field"), _cases())
def test_field(name: str, field: str) -> None:
    want = _golden(name)["expect"][field]
    error = CHECKS[field](want, _extracted(name))
    if error:
        pytest.fail(f"{name}.html, field {field!r}: {error}", pytrace=False)
