"""Retry-with-backoff and circuit-breaker middlewares.

Unit tests drive the middlewares directly; the crawl tests run a throwaway spider with the
project's settings in a subprocess (a Twisted reactor cannot be restarted in one process)
against a scripted HTTP server on 127.0.0.1 started here. Run as a script, this module is that
subprocess: `python tests/test_middlewares.py CONFIG.json`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused

from egovcrawl.middlewares import (
    RETRY_AFTER_EXCEEDED_META,
    BackoffRetryMiddleware,
    CircuitBreakerMiddleware,
    backoff_delay,
    parse_retry_after,
    site_of,
)

ROOT = Path(__file__).resolve().parent.parent

# --- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(b"1", 1.0), ("120", 120.0), (" 7 ", 7.0), ("0", 0.0), ("1.5", 1.5), (b"", None),
     (None, None), ("-5", None), ("soon", None), ("nan", None), ("Wed, 99 Foo 2024", None)],
)
def test_parse_retry_after_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date():
    now = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert later == "Tue, 24 Nov 2026 09:01:30 GMT"
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90.0)
    assert parse_retry_after(later.encode(), now=now.timestamp()) == pytest.approx(90.0)
    earlier = format_datetime(now - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(earlier, now=now.timestamp()) == 0.0
    # the obsolete RFC 850 form is still a date
    assert parse_retry_after("Tuesday, 24-Nov-26 09:00:10 GMT", now=now.timestamp()) == 10.0


def test_backoff_grows_exponentially_within_cap_with_jitter():
    assert [backoff_delay(n, 1.0, 60.0, rand=lambda: 0.0) for n in (1, 2, 3, 4)] == [
        0.5, 1.0, 2.0, 4.0]
    assert [backoff_delay(n, 1.0, 60.0, rand=lambda: 1.0) for n in (1, 2, 3, 4)] == [
        1.0, 2.0, 4.0, 8.0]
    assert backoff_delay(10, 1.0, 60.0, rand=lambda: 1.0) == 60.0
    assert backoff_delay(50, 1.0, 60.0, rand=lambda: 0.0) == 30.0
    assert backoff_delay(1, 0.0, 60.0) == 0.0


def test_site_of_prefers_the_profile_name():
    assert site_of(Request("https://www.gov.cn/a", meta={"egov_site": "govcn"})) == "govcn"
    assert site_of(Request("http://127.0.0.1:8080/a")) == "127.0.0.1:8080"


# --- middlewares driven directly ------------------------------------------------------------


def _crawler(**settings: Any):
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, name="unit")
    return crawler


def _resp(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(request.url, status=status, headers=headers or {}, request=request)


def test_switches():
    with pytest.raises(NotConfigured):
        BackoffRetryMiddleware.from_crawler(_crawler(RETRY_ENABLED=False))
    with pytest.raises(NotConfigured):
        CircuitBreakerMiddleware.from_crawler(_crawler(EGOVCRAWL_BREAKER_THRESHOLD=0))
    with pytest.raises(NotConfigured):
        CircuitBreakerMiddleware.from_crawler(_crawler(EGOVCRAWL_BREAKER_ENABLED=False))
    with pytest.raises(ValueError, match="EGOVCRAWL_BACKOFF_BASE"):
        BackoffRetryMiddleware.from_crawler(_crawler(EGOVCRAWL_BACKOFF_BASE=-1))


def test_breaker_opens_after_consecutive_failures_and_skips_the_site(caplog):
    crawler = _crawler(EGOVCRAWL_BREAKER_THRESHOLD=3)
    mw = CircuitBreakerMiddleware.from_crawler(crawler)
    dead = [Request(f"https://dead.example/{i}", meta={"egov_site": "dead"}) for i in range(6)]
    alive = Request("https://alive.example/", meta={"egov_site": "alive"})
    caplog.set_level(logging.ERROR, logger="egovcrawl.middlewares")
    mw.process_response(dead[0], _resp(dead[0], 503))
    mw.process_exception(dead[1], TxConnectionRefused())
    assert mw.open_sites == {}
    mw.process_response(dead[2], _resp(dead[2], 500))
    assert list(mw.open_sites) == ["dead"]
    assert "3 consecutive failures" in mw.open_sites["dead"]
    for request in dead[3:]:
        with pytest.raises(IgnoreRequest, match="circuit breaker open for site dead"):
            mw.process_request(request)
    # a response in flight when it opened passes through and reopens nothing
    late = _resp(dead[3], 500)
    assert mw.process_response(dead[3], late) is late
    assert mw.process_request(alive) is None
    stats = crawler.stats.get_stats()
    assert stats["egovcrawl/breaker/open/dead"] == 1
    assert stats["egovcrawl/breaker/skipped/dead"] == 3
    assert "egovcrawl/breaker/open/alive" not in stats
    errors = [r for r in caplog.records if "Circuit breaker open" in r.getMessage()]
    assert len(errors) == 1 and errors[0].levelname == "ERROR"


def test_breaker_success_resets_and_ignores_what_is_no_failure():
    mw = CircuitBreakerMiddleware.from_crawler(_crawler(EGOVCRAWL_BREAKER_THRESHOLD=3))
    req = Request("https://flaky.example/a")  # no egov_site: counted by host
    for status in (500, 502, 404, 500, 429, 200, 503, 504):
        mw.process_response(req, _resp(req, status))
    # robots.txt refusals, our own skips and non-network errors say nothing about the site
    for _ in range(5):
        mw.process_exception(req, IgnoreRequest("robots.txt"))
        mw.process_exception(req, ValueError("a bug"))
    assert mw.open_sites == {}
    mw.process_response(req, _resp(req, 500))
    assert list(mw.open_sites) == ["flaky.example"]


def test_breaker_opens_at_once_on_a_retry_after_we_will_not_wait_for():
    mw = CircuitBreakerMiddleware.from_crawler(_crawler())
    req = Request("https://busy.example/", meta={RETRY_AFTER_EXCEEDED_META: 3600.0})
    mw.process_response(req, _resp(req, 429))
    assert "Retry-After 3600 s" in mw.open_sites["busy.example"]
    off = CircuitBreakerMiddleware.from_crawler(
        _crawler(EGOVCRAWL_BREAKER_ON_LONG_RETRY_AFTER=False))
    off.process_response(req, _resp(req, 429))
    assert off.open_sites == {}


def test_retry_passes_through_what_it_must_not_retry():
    crawler = _crawler(EGOVCRAWL_RETRY_AFTER_MAX=60)
    mw = BackoffRetryMiddleware.from_crawler(crawler)

    async def run():
        ok = Request("https://a.example/ok")
        r200 = _resp(ok, 200)
        assert await mw.process_response(ok, r200) is r200
        no = Request("https://a.example/no", meta={"dont_retry": True})
        r503 = _resp(no, 503)
        assert await mw.process_response(no, r503) is r503
        spent = Request("https://a.example/spent", meta={"retry_times": 3})
        r500 = _resp(spent, 500)
        assert await mw.process_response(spent, r500) is r500  # RETRY_TIMES reached
        busy = Request("https://a.example/busy")
        r429 = _resp(busy, 429, {"Retry-After": "61"})
        assert await mw.process_response(busy, r429) is r429
        assert busy.meta[RETRY_AFTER_EXCEEDED_META] == 61.0
        assert await mw.process_exception(ok, ValueError("not a network error")) is None

    asyncio.run(run())
    stats = crawler.stats.get_stats()
    assert stats["egovcrawl/retry/retry_after_too_long"] == 1
    assert stats["egovcrawl/retry/max_reached"] == 1
    assert "egovcrawl/retry/count" not in stats
    assert "egovcrawl/retry/wait_count" not in stats


def test_retry_waits_then_returns_a_retry_request():
    crawler = _crawler(EGOVCRAWL_BACKOFF_BASE=0.02, EGOVCRAWL_BACKOFF_MAX=0.02)
    mw = BackoffRetryMiddleware.from_crawler(crawler)

    async def run():
        req = Request("https://a.example/x", meta={"egov_site": "a"})
        retry = await mw.process_response(req, _resp(req, 502))
        assert isinstance(retry, Request) and retry.url == req.url
        assert retry.meta["retry_times"] == 1 and retry.dont_filter
        again = await mw.process_exception(retry, TxConnectionRefused())
        assert isinstance(again, Request) and again.meta["retry_times"] == 2

    asyncio.run(run())
    stats = crawler.stats.get_stats()
    assert stats["egovcrawl/retry/count"] == 2
    assert stats["egovcrawl/retry/wait_count"] == 2
    assert 0.02 <= stats["egovcrawl/retry/wait_seconds"] <= 0.04


# --- crawls against a scripted local server -------------------------------------------------


class ScriptedServer:
    """Answers each path from a script of (status, headers, delay) replies; the last repeats.
    Records when each request arrived (time.monotonic(), system-wide on Linux)."""

    def __init__(self, scripts: dict[str, list[tuple[int, dict[str, str], float]]]) -> None:
        self.scripts = scripts
        self.hits: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with server.lock:
                    n = len(server.hits.setdefault(self.path, []))
                    server.hits[self.path].append(time.monotonic())
                script = server.scripts.get(self.path, [(404, {}, 0.0)])
                status, headers, delay = script[min(n, len(script) - 1)]
                if delay:
                    time.sleep(delay)
                body = f"<html><body><p>{status} {self.path}</p></body></html>".encode()
                self.send_response(status)
                for k, v in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _crawl(tmp_path: Path, config: dict[str, Any]) -> dict[str, Any]:
    config = {**config, "out": str(tmp_path / "out.json")}
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(config))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, __file__, str(cfg)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(Path(config["out"]).read_text())


FAST = {"EGOVCRAWL_BACKOFF_BASE": 0.05, "EGOVCRAWL_BACKOFF_MAX": 0.2,
        "EGOVCRAWL_RETRY_AFTER_MAX": 5, "EGOVCRAWL_BREAKER_THRESHOLD": 3, "RETRY_TIMES": 2}
NO_RETRY = {"max_retry_times": 0}


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """One crawl of every scenario at once, each on its own site (egov_site)."""
    ok: list[tuple[int, dict[str, str], float]] = [(200, {}, 0.0)]
    scripts = {
        "/ra/page": [(503, {"Retry-After": "1"}, 0.0), *ok],
        "/ra/slow": [(200, {}, 0.3)],
        "/ra/after": ok,
        "/ralong/a": [(429, {"Retry-After": "3600"}, 0.0)],
        "/ralong/b": ok,
        "/boom": [(500, {}, 0.0)],
        **{f"/dead/{i}": [(502, {}, 0.0)] for i in range(1, 6)},
        "/flaky/f1": [(504, {}, 0.0)], "/flaky/f2": [(504, {}, 0.0)],
        "/flaky/ok": [(404, {}, 0.0)],
        "/flaky/f3": [(504, {}, 0.0)], "/flaky/f4": [(504, {}, 0.0)], "/flaky/ok2": ok,
    }
    gone = f"http://127.0.0.1:{_closed_port()}"
    with ScriptedServer(scripts) as server:
        chains = [
            {"site": "ra", "paths": ["/ra/page"]},
            {"site": "ra", "paths": ["/ra/slow", "/ra/after"]},
            {"site": "ralong", "paths": ["/ralong/a", "/ralong/b"]},
            {"site": "boom", "paths": ["/boom"]},
            {"site": "dead", "paths": [f"/dead/{i}" for i in range(1, 6)], "meta": NO_RETRY},
            {"site": "flaky", "paths": ["/flaky/f1", "/flaky/f2", "/flaky/ok", "/flaky/f3",
                                        "/flaky/f4", "/flaky/ok2"], "meta": NO_RETRY},
            {"site": "gone", "base": gone, "paths": ["/1"]},
            {"site": "gone", "base": gone, "paths": ["/2", "/3", "/4", "/5"],
             "meta": NO_RETRY, "after": "/1"},
        ]
        result = _crawl(tmp_path_factory.mktemp("faults"),
                        {"base": server.base, "chains": chains, "settings": FAST})
        result["hits"] = server.hits
    return result


def _outcomes(result: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    return [(o["path"], o.get("status", o.get("error"))) for o in result["outcomes"]
            if o["path"].startswith(prefix)]


def test_crawl_uses_the_project_middlewares(faults):
    stats = faults["stats"]
    assert "retry/count" not in stats  # Scrapy's RetryMiddleware is replaced, not doubled
    assert stats["egovcrawl/retry/count"] >= 3
    assert faults["finish_reason"] == "finished"


def test_retry_after_is_waited_for_then_the_page_fetched(faults):
    hits = faults["hits"]["/ra/page"]
    assert len(hits) == 2
    assert hits[1] - hits[0] >= 0.99
    assert _outcomes(faults, "/ra/page") == [("/ra/page", 200)]
    assert faults["stats"]["egovcrawl/retry/retry_after_honoured"] == 1
    assert faults["stats"]["egovcrawl/retry/reason_count/503 Service Unavailable"] == 1


def test_retry_after_holds_the_sites_other_requests(faults):
    # /ra/after was asked for 0.3 s into the site's one-second Retry-After: it waits it out
    assert faults["hits"]["/ra/after"][0] - faults["hits"]["/ra/page"][0] >= 0.99
    assert _outcomes(faults, "/ra/after") == [("/ra/after", 200)]


def test_retry_after_beyond_the_cap_is_final_and_stops_the_site(faults):
    assert len(faults["hits"]["/ralong/a"]) == 1
    assert _outcomes(faults, "/ralong/") == [("/ralong/a", 429), ("/ralong/b", "IgnoreRequest")]
    assert "/ralong/b" not in faults["hits"]
    stats = faults["stats"]
    assert stats["egovcrawl/retry/retry_after_too_long"] == 1
    assert stats["egovcrawl/breaker/open/ralong"] == 1
    assert "Retry-After 3600 s" in faults["open_sites"]["ralong"]


def test_server_errors_back_off_exponentially_then_the_last_answer_is_final(faults):
    hits = faults["hits"]["/boom"]
    assert len(hits) == 3  # RETRY_TIMES 2
    # base 0.05 s: retry n waits between half and all of 0.05 * 2**(n-1)
    assert hits[1] - hits[0] >= 0.025
    assert hits[2] - hits[1] >= 0.05
    assert _outcomes(faults, "/boom") == [("/boom", 500)]
    assert faults["stats"]["egovcrawl/retry/reason_count/500 Internal Server Error"] == 2
    assert faults["stats"]["egovcrawl/retry/wait_count"] >= 3


def test_breaker_opens_after_threshold_and_skips_later_requests(faults):
    assert [p for p in faults["hits"] if p.startswith("/dead/")] == ["/dead/1", "/dead/2",
                                                                      "/dead/3"]
    assert _outcomes(faults, "/dead/") == [
        ("/dead/1", 502), ("/dead/2", 502), ("/dead/3", 502),
        ("/dead/4", "IgnoreRequest"), ("/dead/5", "IgnoreRequest")]
    stats = faults["stats"]
    assert stats["egovcrawl/breaker/open/dead"] == 1
    assert stats["egovcrawl/breaker/skipped/dead"] == 2
    assert "3 consecutive failures" in faults["open_sites"]["dead"]
    errors = [r for r in faults["log"] if "Circuit breaker open for site dead" in r[2]]
    assert [r[0] for r in errors] == ["ERROR"]


def test_breaker_is_reset_by_any_answer_of_a_live_site(faults):
    assert [o[1] for o in _outcomes(faults, "/flaky/")] == [504, 504, 404, 504, 504, 200]
    assert "egovcrawl/breaker/open/flaky" not in faults["stats"]
    assert "flaky" not in faults["open_sites"]


def test_network_errors_are_retried_and_trip_the_breaker(faults):
    outcomes = _outcomes(faults, "/")
    gone = [o for o in outcomes if o[0] in ("/1", "/2", "/3", "/4", "/5")]
    assert [p for p, _ in gone] == ["/1", "/2", "/3", "/4", "/5"]
    assert all(e != "IgnoreRequest" for _, e in gone[:3])
    assert [e for _, e in gone[3:]] == ["IgnoreRequest", "IgnoreRequest"]
    stats = faults["stats"]
    assert any(k.startswith("egovcrawl/retry/reason_count/") and "Refused" in k for k in stats)
    assert stats["egovcrawl/breaker/skipped/gone"] == 2
    assert set(faults["open_sites"]) == {"ralong", "dead", "gone"}


def test_a_closing_crawl_does_not_wait_out_a_retry_after(tmp_path):
    scripts = {"/maint": [(503, {"Retry-After": "100"}, 0.0), (200, {}, 0.0)]}
    with ScriptedServer(scripts) as server:
        result = _crawl(tmp_path, {
            "base": server.base, "chains": [{"site": "maint", "paths": ["/maint"]}],
            "settings": {**FAST, "EGOVCRAWL_RETRY_AFTER_MAX": 200, "CLOSESPIDER_TIMEOUT": 1}})
        hits = server.hits
    assert len(hits["/maint"]) == 1
    assert result["finish_reason"] == "closespider_timeout"
    assert result["stats"]["egovcrawl/retry/wait_cancelled"] == 1


# --- the subprocess side --------------------------------------------------------------------


def _run_probe_crawl(config: dict[str, Any]) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from egovcrawl.middlewares import find_breaker

    outcomes: list[dict[str, Any]] = []
    log: list[tuple[str, str, str]] = []
    chains = config["chains"]
    summary: dict[str, Any] = {}

    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            for i, chain in enumerate(chains):
                if not chain.get("after"):
                    yield self._request(i, 0)

        def _request(self, i: int, j: int) -> scrapy.Request:
            chain = chains[i]
            base = chain.get("base", config["base"])
            return scrapy.Request(
                base + chain["paths"][j], callback=self.ok, errback=self.failed,
                dont_filter=True,
                meta={"egov_site": chain["site"], "chain": i, "step": j,
                      "handle_httpstatus_all": True, **chain.get("meta", {})})

        def _next(self, meta: dict[str, Any], path: str):
            i, j = meta["chain"], meta["step"] + 1
            if j < len(chains[i]["paths"]):
                yield self._request(i, j)
            for k, chain in enumerate(chains):  # chains that start after this path's outcome
                if chain.get("after") == path and chain["site"] == chains[i]["site"]:
                    yield self._request(k, 0)

        def ok(self, response):
            path = response.url.split("/", 3)[3]
            outcomes.append({"path": "/" + path, "status": response.status})
            yield from self._next(response.meta, "/" + path)

        def failed(self, failure):
            request = failure.request
            path = "/" + request.url.split("/", 3)[3]
            outcomes.append({"path": path, "error": failure.type.__name__})
            yield from self._next(request.meta, path)

        def closed(self, reason):
            breaker = find_breaker(self.crawler)
            summary["open_sites"] = breaker.open_sites if breaker else None

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log.append((record.levelname, record.name, record.getMessage()))

    settings = Settings()
    settings.setmodule("egovcrawl.settings", priority="project")
    settings.update({
        "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_TIMEOUT": 10, "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {}, "SPIDER_MIDDLEWARES": {}, "EXTENSIONS": {},
        **config.get("settings", {}),
    }, priority="cmdline")
    process = CrawlerProcess(settings)
    handler = Capture(logging.WARNING)
    logging.getLogger("egovcrawl").addHandler(handler)
    crawler = process.create_crawler(Probe)
    process.crawl(crawler)
    started = time.monotonic()
    process.start()
    summary["crawl_seconds"] = round(time.monotonic() - started, 3)
    stats = crawler.stats.get_stats()
    Path(config["out"]).write_text(json.dumps({
        "outcomes": outcomes, "log": log, "open_sites": summary.get("open_sites"),
        "crawl_seconds": summary["crawl_seconds"],
        "finish_reason": stats.get("finish_reason"),
        "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)},
    }))


if __name__ == "__main__":
    _run_probe_crawl(json.loads(Path(sys.argv[1]).read_text()))
