"""Downloader middlewares that keep an unattended crawl polite and alive.

* `BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware: the same retry rules
  (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS, `dont_retry`/`max_retry_times` meta), but it
  waits before each retry - as long as a 429/503 `Retry-After` asks, else an exponential backoff
  with jitter - instead of hitting a struggling server again at once. The wait is a coroutine
  sleep, so the reactor goes on serving other sites; while a site's `Retry-After` runs, its other
  requests wait too. A `Retry-After` longer than EGOVCRAWL_RETRY_AFTER_MAX is not waited for: the
  response goes through as the final answer (and is archived as such).
* `CircuitBreakerMiddleware` stops requesting a site after EGOVCRAWL_BREAKER_THRESHOLD
  consecutive failures, so one dead site does not eat a nightly run; `open_sites` tells the
  spider/CLI which sites failed (a partial failure).

Their order in DOWNLOADER_MIDDLEWARES matters: the breaker sits before the retry middleware
(lower number), so it only sees a request's final outcome, after all its retries.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred

try:
    from scrapy.utils.asyncio import sleep as _sleep  # Scrapy >= 2.18: asyncio or Twisted
except ImportError:  # pragma: no cover - older Scrapy

    async def _sleep(seconds: float) -> None:
        from twisted.internet import reactor  # imported late: importing it installs one
        from twisted.internet.task import deferLater

        await deferLater(reactor, seconds)


if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

# --- data -----------------------------------------------------------------------------------

#: Request meta key naming the site profile a request belongs to (else its host:port is used).
SITE_META = "egov_site"
#: Request meta key the retry middleware sets (seconds asked) when it gave up because a
#: `Retry-After` was longer than EGOVCRAWL_RETRY_AFTER_MAX; the breaker reads it.
RETRY_AFTER_EXCEEDED_META = "egov_retry_after_exceeded"
#: Statuses whose `Retry-After` header is honoured (RFC 9110 defines it for 503 and, in
#: RFC 6585, 429; elsewhere it is rare and usually a misconfiguration).
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Final statuses the breaker counts as a failure of the site: it is down or refusing us.
#: Any other response, 404 included, proves the site alive and resets the count.
BREAKER_FAILURE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
#: The longest single sleep: a wait is cut into slices so a closing crawl is not held up.
WAIT_SLICE = 1.0

STATS_PREFIX = "egovcrawl/retry"
BREAKER_PREFIX = "egovcrawl/breaker"


def site_of(request: Request) -> str:
    """The site a request counts for: its profile name, else its host (with port)."""
    site = request.meta.get(SITE_META)
    return str(site) if site else urlparse_cached(request).netloc


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or HTTP-date), None if unusable.

    A date in the past means 0; a malformed value None (the caller falls back to backoff).
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None  # no negatives, no NaN
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    try:
        return max(0.0, when.timestamp() - now)
    except (OverflowError, OSError, ValueError):
        return None


def backoff_delay(attempt: int, base: float, cap: float,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): exponential with jitter.

    "Equal jitter": half of min(cap, base * 2**(attempt-1)) fixed, half random, so waits grow
    but many requests failing together (a site restart) do not come back in lockstep.
    """
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rand() * ceiling / 2


def _load_exceptions(crawler: Crawler) -> tuple[type[BaseException], ...]:
    return tuple(load_object(x) for x in crawler.settings.getlist("RETRY_EXCEPTIONS"))


def _non_negative(crawler: Crawler, name: str, default: float) -> float:
    value = crawler.settings.getfloat(name, default)
    if value < 0 or value != value:
        raise ValueError(f"setting {name} must be a number >= 0, got {value!r}")
    return value


# --- retry with backoff ---------------------------------------------------------------------


class BackoffRetryMiddleware:
    """Scrapy's retry rules with a non-blocking wait before each retry (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(x) for x in settings.getlist("RETRY_HTTP_CODES")}
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self.give_up_log_level = settings.get("RETRY_GIVE_UP_LOG_LEVEL", "ERROR")
        self.exceptions_to_retry = _load_exceptions(crawler)
        self.backoff_base = _non_negative(crawler, "EGOVCRAWL_BACKOFF_BASE", 1.0)
        self.backoff_max = _non_negative(crawler, "EGOVCRAWL_BACKOFF_MAX", 60.0)
        self.retry_after_max = _non_negative(crawler, "EGOVCRAWL_RETRY_AFTER_MAX", 120.0)
        #: site -> monotonic time before which its requests wait (a Retry-After in force).
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        """Hold a request while its site's `Retry-After` is in force."""
        if not self._paused_until:
            return
        site = site_of(request)
        until = self._paused_until.get(site)
        if until is None:
            return
        remaining = until - time.monotonic()
        if remaining <= 0:
            del self._paused_until[site]
            return
        self.stats.inc_value(f"{STATS_PREFIX}/paused_requests")
        await self._wait(remaining, count=False)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = None
        if response.status in RETRY_AFTER_STATUSES:
            asked = parse_retry_after(response.headers.get(b"Retry-After"))
            if asked is not None and asked > self.retry_after_max:
                self.stats.inc_value(f"{STATS_PREFIX}/retry_after_too_long")
                request.meta[RETRY_AFTER_EXCEEDED_META] = asked
                logger.warning(
                    "Not retrying %(request)s: %(status)d asks Retry-After %(asked).0f s, more "
                    "than EGOVCRAWL_RETRY_AFTER_MAX (%(cap).0f s); the response is final",
                    {"request": request, "status": response.status, "asked": asked,
                     "cap": self.retry_after_max},
                    extra={"spider": self.crawler.spider},
                )
                return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if asked is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/retry_after_honoured")
            if asked > 0:
                site = site_of(request)
                until = time.monotonic() + asked
                self._paused_until[site] = max(until, self._paused_until.get(site, 0.0))
            delay = asked
        else:
            delay = self._backoff(retry)
        if not await self._wait(delay):
            return response  # the crawl is closing: keep what we have
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        retry = self._retry(request, exception)
        if retry is None or not await self._wait(self._backoff(retry)):
            return None
        return retry

    def _retry(self, request: Request, reason: str | Exception) -> Request | None:
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
            logger=logger,
            stats_base_key=STATS_PREFIX,
        )

    def _backoff(self, retry: Request) -> float:
        return backoff_delay(retry.meta.get("retry_times", 1), self.backoff_base, self.backoff_max)

    async def _wait(self, seconds: float, *, count: bool = True) -> bool:
        """Sleep `seconds` without blocking the reactor; False if the crawl began closing."""
        if seconds <= 0:
            return True
        if count:
            self.stats.inc_value(f"{STATS_PREFIX}/wait_count")
            self.stats.inc_value(f"{STATS_PREFIX}/wait_seconds", round(seconds, 3), start=0.0)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self._closing():
                self.stats.inc_value(f"{STATS_PREFIX}/wait_cancelled")
                return False
            await _sleep(min(remaining, WAIT_SLICE))
        return True

    def _closing(self) -> bool:
        engine = _engine(self.crawler)
        if engine is None:
            return False
        if not getattr(engine, "running", True):
            return True
        slot = getattr(engine, "_slot", None)
        return slot is not None and getattr(slot, "closing", None) is not None


# --- circuit breaker ------------------------------------------------------------------------


class CircuitBreakerMiddleware:
    """Per-site breaker: after `threshold` consecutive failures the site's requests are skipped.

    A failure is a final 5xx/408/429 response or a network error (RETRY_EXCEPTIONS) that
    survived the retries; any other response resets the count. Once open, a breaker stays open
    for the rest of the crawl: a nightly run tries again tomorrow. With
    EGOVCRAWL_BREAKER_ON_LONG_RETRY_AFTER, a site that asks to be left alone for longer than we
    wait (Retry-After above EGOVCRAWL_RETRY_AFTER_MAX) is left alone at once.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("EGOVCRAWL_BREAKER_ENABLED", True):
            raise NotConfigured("EGOVCRAWL_BREAKER_ENABLED is off")
        self.threshold = settings.getint("EGOVCRAWL_BREAKER_THRESHOLD", 10)
        if self.threshold <= 0:
            raise NotConfigured("EGOVCRAWL_BREAKER_THRESHOLD is 0")
        self.open_on_long_retry_after = settings.getbool(
            "EGOVCRAWL_BREAKER_ON_LONG_RETRY_AFTER", True
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.failure_exceptions = _load_exceptions(crawler)
        self._failures: dict[str, int] = {}
        self._open: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def open_sites(self) -> dict[str, str]:
        """Sites whose breaker opened in this crawl, each with the last failure seen."""
        return dict(self._open)

    def process_request(self, request: Request) -> None:
        if not self._open:
            return
        site = site_of(request)
        if site in self._open:
            self.stats.inc_value(f"{BREAKER_PREFIX}/skipped/{site}")
            raise IgnoreRequest(f"circuit breaker open for site {site}: {self._open[site]}")

    def process_response(self, request: Request, response: Response) -> Response:
        site = site_of(request)
        if site in self._open:
            return response  # in flight when the breaker opened
        if self.open_on_long_retry_after and RETRY_AFTER_EXCEEDED_META in request.meta:
            asked = request.meta[RETRY_AFTER_EXCEEDED_META]
            self._trip(site, f"HTTP {response.status} with Retry-After {asked:.0f} s")
        elif response.status in BREAKER_FAILURE_STATUSES:
            self._failure(site, f"HTTP {response.status} from {response.url}")
        else:
            self._failures.pop(site, None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest) or not isinstance(
            exception, self.failure_exceptions
        ):
            return
        site = site_of(request)
        if site not in self._open:
            self._failure(site, f"{type(exception).__name__} on {request.url}")

    def _failure(self, site: str, what: str) -> None:
        count = self._failures.get(site, 0) + 1
        self._failures[site] = count
        if count >= self.threshold:
            self._trip(site, f"{count} consecutive failures, last: {what}")

    def _trip(self, site: str, why: str) -> None:
        self._open[site] = why
        self._failures.pop(site, None)
        self.stats.set_value(f"{BREAKER_PREFIX}/open/{site}", 1)
        logger.error(
            "Circuit breaker open for site %(site)s (%(why)s): its remaining requests are skipped",
            {"site": site, "why": why},
            extra={"spider": self.crawler.spider},
        )


def find_breaker(crawler: Crawler) -> CircuitBreakerMiddleware | None:
    """The crawl's breaker instance (for `open_sites`), None when it is switched off."""
    manager: Any = getattr(getattr(_engine(crawler), "downloader", None), "middleware", None)
    for mw in getattr(manager, "middlewares", ()):
        if isinstance(mw, CircuitBreakerMiddleware):
            return mw
    return None


def _engine(crawler: Crawler) -> Any:
    try:
        return getattr(crawler, "engine", None)
    except RuntimeError:  # Scrapy >= 2.14 raises until the crawl starts
        return None


class UnreachableRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's rule for a robots.txt that cannot be
    read: a server error (5xx, 429) or a network failure means "disallow everything" (§2.3.1.3–4),
    where Scrapy would crawl as if there were no robots.txt. A 4xx still means "no rules".

    `EGOVCRAWL_ROBOTS_UNREACHABLE`: "disallow" (default) or "allow" (Scrapy's behaviour). The
    site's pages are then refused for this crawl (counted under `egovcrawl/robots/unreachable`)
    and the site reports no page: a partial failure, so the cron job says so.
    """

    DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        policy = crawler.settings.get("EGOVCRAWL_ROBOTS_UNREACHABLE", "disallow")
        if policy not in ("disallow", "allow"):
            raise ValueError("EGOVCRAWL_ROBOTS_UNREACHABLE must be 'disallow' or 'allow', "
                             f"not {policy!r}")
        self.strict = policy == "disallow"

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if self.strict and (response.status >= 500 or response.status == 429):
            self._unreachable(netloc, f"HTTP {response.status}")
            response = response.replace(body=self.DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not self.strict or isinstance(exc, IgnoreRequest):
            super()._robots_error(exc, netloc)
            return
        self._unreachable(netloc, type(exc).__name__)
        rp = build_from_crawler(self._parserimpl, self.crawler, self.DISALLOW_ALL)
        dfd = self._parsers[netloc]
        self._parsers[netloc] = rp
        if isinstance(dfd, Deferred):
            dfd.callback(rp)

    def _unreachable(self, netloc: str, why: str) -> None:
        self.crawler.stats.inc_value("egovcrawl/robots/unreachable")
        logger.error("robots.txt of %s unreachable (%s): not crawling that site in this run "
                     "(RFC 9309; EGOVCRAWL_ROBOTS_UNREACHABLE=allow to crawl anyway)", netloc, why)
