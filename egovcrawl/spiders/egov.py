"""`egov`: the one generic spider, driven by site profiles (data, not code per site).

    scrapy crawl egov -a site=wuhan-gov            # one site of data/sites.toml
    scrapy crawl egov -a site=a,b -a sites=my.toml  # several, another profile file
    scrapy crawl egov -a all=1                      # every enabled site

Discovery per site: robots.txt `Sitemap:` lines (or /sitemap.xml), the profile's sitemaps and
feeds, its start pages, then listing pages: their teaser links (articles) and pagination.
Every fetch, good or bad, is yielded as a `FetchRecord` for the archive pipeline; extraction runs
in a worker process (`egovcrawl.worker`) and its Page rides along so the pipeline need not
extract again.

Incremental by design: at start the spider reads the archive's known URLs for each site. A known
article is not fetched again until its profile's `refresh_days` are due, and then with a
conditional GET (ETag / Last-Modified; a 304 is recorded as "unchanged"). Pagination stops after
`stop_after_known_pages` listing pages whose article links are all known — unless the site's
previous crawl did not finish, in which case this run walks all pagination again (backfill), so
a crawl killed half-way is completed by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES

from egovcrawl import __version__, discovery
from egovcrawl.profiles import (
    DEFAULT_SITES_PATH,
    ProfileError,
    SiteProfile,
    load_profiles,
    select_profiles,
)
from egovcrawl.storage.dedup import canonical_url
from egovcrawl.storage.ingest import non_html_reason
from egovcrawl.storage.records import FetchRecord, utcnow
from egovcrawl.traps import TrapGuard, calendar_parts, strip_session_ids
from egovcrawl.worker import ExtractionPool, default_workers

logger = logging.getLogger(__name__)

STATS = "egovcrawl/spider"
#: Redirects of page requests: the spider follows them itself (scope, loops, a cap).
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
#: Statuses the spider wants to see (and record) instead of Scrapy dropping them.
HANDLED_STATUSES = [304, *range(400, 600)]
PAGE_STATUSES = [*REDIRECT_STATUSES, *HANDLED_STATUSES]
#: Request priorities: discovery documents, start pages, then a listing's articles before the
#: next listing page — so the queue holds about one listing's worth of articles per section
#: instead of every article of every page (memory stays flat however long the pagination).
PRIORITY = {"robots": 30, "sitemap": 20, "feed": 20, "start": 10, "article": 5, "listing": 0,
            "page": 0}
#: Extraction priorities: pages that may list articles first, so pagination never waits
#: behind the articles queued in front of the workers.
EXTRACT_PRIORITY = {"start": 10, "listing": 10, "page": 10, "article": 0}


@dataclass
class SiteState:
    """One site's crawl bookkeeping: the profile, what the archive knows, budgets, streaks."""

    profile: SiteProfile
    guard: TrapGuard
    known: dict[str, Any] = field(default_factory=dict)  # canonical URL -> storage.KnownUrl
    backfill: bool = True
    scheduled: int = 0
    known_streak: int = 0  # consecutive listing pages with nothing new
    pagination_stopped: bool = False
    refresh_before: str = ""  # ISO time: known URLs last fetched before this are due
    seen: set[str] = field(default_factory=set)  # URLs requested in this run

    def due(self, known: Any) -> bool:
        return bool(known.last_fetched) and known.last_fetched < self.refresh_before


class EgovSpider(scrapy.Spider):
    name = "egov"

    def __init__(self, site: str | None = None, sites: str | None = None,
                 all: str | bool = False, max_pages: str | int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site_names = [s.strip() for s in (site or "").split(",") if s.strip()]
        self.sites_path = sites
        self.all_sites = str(all).lower() in ("1", "true", "yes")
        self.max_pages_override = int(max_pages) if max_pages not in (None, "") else None
        self.profiles: list[SiteProfile] = []
        self.states: dict[str, SiteState] = {}
        self.config_error: str | None = None
        self.pool = ExtractionPool(0)
        self.archive_path: str | None = None
        #: sites this run could not cover (page budget): their crawl is not "finished"
        self.incomplete_sites: set[str] = set()

    @property
    def sites(self) -> list[str]:
        """Site names of this crawl (the archive pipeline records them on the crawl row)."""
        return [p.name for p in self.profiles]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> EgovSpider:
        spider: EgovSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        path = spider.sites_path or settings.get("EGOVCRAWL_SITES") or DEFAULT_SITES_PATH
        try:
            profiles = load_profiles(path, variables=settings.getdict("EGOVCRAWL_SITE_VARIABLES"))
            if not spider.site_names and not spider.all_sites:
                raise ProfileError(f"{path}: name the sites to crawl: -a site=NAME[,NAME] "
                                   f"or -a all=1 (known: {', '.join(sorted(profiles))})")
            spider.profiles = select_profiles(profiles, spider.site_names,
                                              all_=spider.all_sites)
        except ProfileError as exc:
            spider.config_error = str(exc)
            return spider
        spider.allowed_domains = sorted({urlsplit("//" + d).hostname or d
                                         for p in spider.profiles for d in p.allowed_domains})
        # a profile's download_delay becomes its hosts' download-slot delay (settings may still
        # be changed in from_crawler; AutoThrottle only ever raises a slot's delay)
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for p in spider.profiles:
            if p.download_delay is not None:
                for url in (*p.start_urls, *p.sitemaps, *p.feeds):
                    host = urlsplit(url).hostname
                    if host:
                        slots.setdefault(host, {})["delay"] = p.download_delay
        if slots:
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        contact = settings.get("EGOVCRAWL_CONTACT_URL")
        if contact and settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            # identify the crawl with the deployment's own contact page, as set in its settings
            settings.set("USER_AGENT", f"egovcrawl/{__version__} (+{contact})", priority="spider")
        spider.archive_path = settings.get("EGOVCRAWL_ARCHIVE") or None
        workers = settings.getint("EGOVCRAWL_EXTRACT_WORKERS", -1)
        spider.pool = ExtractionPool(default_workers() if workers < 0 else workers)
        crawler.signals.connect(spider._closed, signal=scrapy.signals.spider_closed)
        return spider

    # --- start ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.config_error:
            logger.critical("%s", self.config_error)
            self.crawler.stats.set_value(f"{STATS}/config_error", self.config_error)
            raise CloseSpider("config_error")
        self.pool.start()
        self._load_states()
        for st in self.states.values():
            for req in self._start_requests(st):
                yield req

    def _load_states(self) -> None:
        archive = None
        if self.archive_path:
            from egovcrawl.storage import Archive

            archive = Archive.open(self.archive_path)
        try:
            now = dt.datetime.now(dt.UTC)
            for p in self.profiles:
                known = archive.known_urls(p.name) if archive else {}
                last = archive.last_crawl_status(p.name) if archive else None
                refresh = (now - dt.timedelta(days=p.refresh_days)).replace(microsecond=0)
                st = SiteState(p, TrapGuard(max_calendar_pages=p.max_calendar_pages,
                                            max_depth=p.max_depth),
                               known=known, backfill=last != "finished",
                               refresh_before=refresh.isoformat())
                self.states[p.name] = st
                self.crawler.stats.set_value(f"{STATS}/{p.name}/known_urls", len(known))
                if known and st.backfill:
                    logger.info("%s: previous crawl did not finish (%s): walking all pagination",
                                p.name, last)
        finally:
            if archive is not None:
                archive.close()

    def _start_requests(self, st: SiteState) -> Iterator[Request]:
        p = st.profile
        for url in p.sitemaps:
            yield self._discovery_request(st, url, "sitemap")
        if p.discover_sitemaps and not p.sitemaps:
            origins = dict.fromkeys(_origin(u) for u in p.start_urls)
            for origin in origins:
                yield self._discovery_request(st, origin + "/robots.txt", "robots")
        for url in p.feeds:
            yield self._discovery_request(st, url, "feed")
        for url in p.start_urls:
            req = self._page_request(st, url, role="start", depth=0, force=True)
            if req is not None:
                yield req
        # archived articles whose refresh_days are due, longest unseen first: a listing that
        # answers 304 shows no links, so they would never be observed again otherwise
        due = sorted((k for k in st.known.values() if k.article_id is not None and st.due(k)),
                     key=lambda k: k.last_fetched)
        for k in due:
            req = self._page_request(st, k.url, role="article", depth=1, force=True)
            if req is None and st.scheduled >= (self.max_pages_override or p.max_pages):
                break
            if req is not None:
                self._inc("requests/refresh")
                yield req

    # --- requests ---------------------------------------------------------------------------

    def _meta(self, st: SiteState, role: str, depth: int, **extra: Any) -> dict[str, Any]:
        meta = {"egov_site": st.profile.name, "egov_role": role, "egov_depth": depth,
                "handle_httpstatus_list": HANDLED_STATUSES, **extra}
        if not st.profile.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    def _discovery_request(self, st: SiteState, url: str, role: str) -> Request:
        callback = {"robots": self.parse_robots, "sitemap": self.parse_sitemap,
                    "feed": self.parse_feed}[role]
        self._inc(f"requests/{role}")
        self._inc(f"{st.profile.name}/requests")
        known = st.known.get(canonical_url(url)) if role != "robots" else None
        return Request(url, callback=callback, errback=self.on_error, priority=PRIORITY[role],
                       dont_filter=role == "robots", meta=self._meta(st, role, 0),
                       headers=_conditional(known) if not st.backfill else {})

    def _page_request(self, st: SiteState, url: str, *, role: str, depth: int,
                      force: bool = False, lastmod: dt.datetime | None = None) -> Request | None:
        """A request for a page, or None when it must not or need not be fetched (counted)."""
        p = st.profile
        url = strip_session_ids(url)
        if url in st.seen:
            return None  # already requested in this run (teaser and "Read more" links...)
        if discovery.is_attachment_url(url) or discovery.is_binary_url(url):
            return self._skip("not-a-page")
        if not force:
            if not p.in_scope(url):
                return self._skip("out-of-scope")
            reason = st.guard.check(url, depth)
            if reason:
                return self._skip(f"trap/{reason}")
        known = st.known.get(canonical_url(url))
        headers: dict[str, str] = {}
        if known is not None:
            changed = (lastmod is not None and known.last_fetched
                       and lastmod.isoformat() > known.last_fetched)
            # new articles appear on start pages, the section fronts they link to, and the
            # pagination from there (while it brings news); other known pages (pager links to
            # page 317, archives) wait for refresh_days like articles
            entry_point = (role in ("start", "listing")
                           or (known.page_kind == "listing" and depth <= 1))
            if not (force or changed or entry_point or st.due(known)):
                return self._skip("known")
            # conditional GET, except for listings while backfilling: their 304 would hide
            # the pagination an interrupted crawl still has to walk
            if not (st.backfill and entry_point):
                headers = _conditional(known)
        limit = self.max_pages_override or p.max_pages
        if st.scheduled >= limit:
            self.incomplete_sites.add(p.name)  # the next run walks pagination again
            return self._skip("max-pages")
        st.scheduled += 1
        st.seen.add(url)
        self._inc(f"requests/{role}")
        self._inc(f"{p.name}/requests")
        meta = self._meta(st, role, depth, dont_redirect=True,
                          handle_httpstatus_list=PAGE_STATUSES)
        return Request(url, callback=self.parse_page, errback=self.on_error, headers=headers,
                       priority=PRIORITY[role], meta=meta)

    def _skip(self, reason: str) -> None:
        self._inc(f"skipped/{reason}")
        return None

    # --- callbacks --------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        st = self.states[response.meta["egov_site"]]
        if response.status >= 500 or response.status == 429:
            self._inc("discovery/robots-error")
            yield self._record(response)  # filed as an error: "HTTP 500"
        declared = (discovery.robots_sitemaps(response.body, response.url)
                    if response.status == 200 else [])
        origin = _origin(response.url)
        for url in declared or [origin + path for path in discovery.COMMON_SITEMAP_PATHS]:
            req = self._discovery_request(st, url, "sitemap")
            if not declared:
                req.meta["egov_probe"] = True  # a guess: its 404 is not an error
            yield req

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        st = self.states[response.meta["egov_site"]]
        probe = response.meta.get("egov_probe", False)
        if not (probe and response.status == 404):
            yield self._record(response)
        self._count_status(st, response, probe=probe)
        if response.status != 200:
            return
        sitemap = discovery.parse_sitemap(response.body)
        if not sitemap.kind:
            self._inc("discovery/not-a-sitemap")
            return
        window = st.profile.sitemap_lastmod_days
        oldest = (dt.datetime.now(dt.UTC) - dt.timedelta(days=window)) if window else None
        for entry in sitemap.entries:
            if sitemap.kind == "sitemapindex":
                if st.profile.in_scope(entry.loc) or _same_host(entry.loc, response.url):
                    yield self._discovery_request(st, entry.loc, "sitemap")
                continue
            if oldest and entry.lastmod and entry.lastmod < oldest:
                self._skip("sitemap-lastmod")
                continue
            self._inc("discovery/sitemap-urls")
            req = self._page_request(st, entry.loc, role="page", depth=1, lastmod=entry.lastmod)
            if req is not None:
                yield req

    def parse_feed(self, response: Response) -> Iterator[Any]:
        st = self.states[response.meta["egov_site"]]
        yield self._record(response)
        self._count_status(st, response)
        if response.status != 200:
            return
        for entry in discovery.parse_feed(response.body, response.url):
            self._inc("discovery/feed-urls")
            req = self._page_request(st, entry.link, role="article", depth=1,
                                     lastmod=entry.updated)
            if req is not None:
                yield req

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        st = self.states[response.meta["egov_site"]]
        p = st.profile
        if response.status in REDIRECT_STATUSES:
            for out in self._redirect(st, response):
                yield out
            return
        record = self._record(response)
        self._count_status(st, response)
        if (response.status >= 500 or response.status == 429) and self._is_entry(response):
            self.incomplete_sites.add(p.name)  # pagination not walked: the next run backfills
        # one rule for what is a page, the archive's: a PDF or a feed is recorded, not parsed
        if not 200 <= response.status < 300 or non_html_reason(record) is not None:
            yield record
            return
        forced = p.url_kind(response.url)
        if forced is None and calendar_parts(response.url) is not None:
            forced = "other"  # a calendar page lists events: never an article, never a listing
        want_anchors = p.follow_links or bool(p.article_allow)
        # pages that may list articles go first: pagination must not wait behind articles
        priority = EXTRACT_PRIORITY.get(response.meta.get("egov_role", "article"), 0)
        result = await self.pool.extract(response.body, response.url, record.declared_encoding,
                                          p.hints(), forced, want_anchors, priority)
        page = result.page
        if page is not None and forced is None and (
                (page.page_kind == "article" and p.article_allow)
                or (page.page_kind == "listing" and p.listing_allow)):
            # the profile's patterns say which URLs are articles (listings): others are not
            page = replace(page, page_kind="other")
        yield replace(record, page=page) if page is not None else record
        if page is None:
            self._inc("extract-failed")
            return
        self._inc(f"pages/{page.page_kind}")
        depth = response.meta.get("egov_depth", 0)
        if page.page_kind == "listing":
            for req in self._follow_listing(st, page, result.anchors, depth, response):
                yield req
        elif page.page_kind == "other" and p.follow_links and depth < p.max_depth:
            for url in result.anchors:
                req = self._page_request(st, url, role="page", depth=depth + 1)
                if req is not None:
                    yield req

    def _redirect(self, st: SiteState, response: Response) -> Iterator[Any]:
        """Follow a page's redirect within the profile's scope, never round a loop, at most
        MAX_REDIRECTS times; a redirect not followed is recorded with the reason."""
        chain = [*response.meta.get("redirect_urls", []), response.url]
        location = response.headers.get(b"Location")
        target = (strip_session_ids(response.urljoin(location.decode("latin-1").strip()))
                  if location else None)
        if target is None:
            why = f"HTTP {response.status} redirect without a Location"
        elif target in chain:
            why = f"redirect loop: {' -> '.join([*chain, target])}"
        elif len(chain) > MAX_REDIRECTS:
            why = f"more than {MAX_REDIRECTS} redirects"
        elif not st.profile.in_scope(target):
            why = f"redirect off-site to {target}"
        else:
            meta = {**response.meta, "redirect_urls": chain}
            yield response.request.replace(url=target, meta=meta, dont_filter=True)
            return
        name = st.profile.name
        if why.startswith("redirect off-site"):
            self._inc("skipped/redirect-off-site")  # the site answered; we chose not to go
        else:
            self._inc("fetch-errors")
            self._inc(f"{name}/fetch-errors")
        yield replace(self._record(response), error=why)

    def _follow_listing(self, st: SiteState, page: Any, anchors: Iterable[str], depth: int,
                        response: Response) -> Iterator[Request]:
        p = st.profile
        links = [link.url for link in page.links]
        if p.article_allow:  # the profile says which URLs are articles: trust it over teasers
            links += [u for u in anchors if p.url_kind(u) == "article"]
        links = list(dict.fromkeys(links))
        new = 0
        for url in links:
            if canonical_url(strip_session_ids(url)) not in st.known:
                new += 1
            req = self._page_request(st, url, role="article", depth=depth + 1)
            if req is not None:
                yield req
        # incremental pagination: a listing page with nothing new extends the streak
        st.known_streak = st.known_streak + 1 if links and not new else 0
        nxt = page.next
        stop_after = p.stop_after_known_pages  # 0: never stop early
        if nxt and not st.backfill and stop_after and st.known_streak >= stop_after:
            if not st.pagination_stopped:
                logger.info("%s: nothing new on %d listing page(s) up to %s: not paginating "
                            "further", p.name, st.known_streak, response.url)
            st.pagination_stopped = True
            self._inc("skipped/pagination-known")
            nxt = None
        if nxt:
            req = self._page_request(st, nxt, role="listing", depth=depth)
            if req is not None:
                yield req
        if p.follow_links and depth < p.max_depth:
            for url in anchors:
                if p.url_kind(url) != "article":
                    req = self._page_request(st, url, role="page", depth=depth + 1)
                    if req is not None:
                        yield req

    def on_error(self, failure: Any) -> Iterator[Any]:
        request: Request = failure.request
        site = request.meta.get("egov_site")
        fetched = "download_latency" in request.meta or request.meta.get("redirect_urls")
        if failure.check(IgnoreRequest) and not fetched:
            # refused before any fetch (robots.txt, circuit breaker, offsite): nothing to record
            self._inc("skipped/ignored")
            if "robots.txt" in str(failure.value):
                self._inc(f"{site}/robots-refused")
            return
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        message = failure.getErrorMessage() or _first_line(failure.type.__doc__)
        error = f"{failure.type.__name__}: {message}"[:500]
        record = FetchRecord(url=original, final_url=request.url if request.url != original
                             else None, status=None, error=error, site=site, fetched_at=utcnow())
        if request.meta.get("egov_role") == "robots":
            self._inc("discovery/robots-error")  # robots.txt unreachable: sitemaps unknown
            yield record
            return
        if self._is_entry(request):
            self.incomplete_sites.add(site)  # pagination not walked: the next run backfills
        self._inc("fetch-errors")
        self._inc(f"{site}/fetch-errors")
        yield record

    # --- helpers ----------------------------------------------------------------------------

    def _record(self, response: Response) -> FetchRecord:
        original = (response.meta.get("redirect_urls") or [response.request.url])[0]
        headers = {k.decode("latin-1").lower(): ", ".join(v.decode("latin-1") for v in vals)
                   for k, vals in response.headers.items()}
        return FetchRecord(url=original,
                           final_url=response.url if response.url != original else None,
                           status=response.status, headers=headers, body=response.body,
                           site=response.meta.get("egov_site"), fetched_at=utcnow())

    def _count_status(self, st: SiteState, response: Response, *, probe: bool = False) -> None:
        """Per-site tallies the crawl's outcome is judged by (see egovcrawl.crawler.judge)."""
        status, name = response.status, st.profile.name
        if 200 <= status < 300 or status == 304:
            self._inc(f"{name}/pages-ok")
        elif status >= 500 or status == 429:
            self._inc(f"{name}/server-errors")
        elif status >= 400 and not probe:
            self._inc(f"{name}/client-errors")

    def _is_entry(self, r: Request | Response) -> bool:
        """A start page, listing or sitemap: where a failure hides articles from this run."""
        st = self.states.get(r.meta.get("egov_site") or "")
        return r.meta.get("egov_role") in ("start", "listing", "sitemap", "feed") or (
            st is not None and st.profile.url_kind(r.url) == "listing")

    def hints_for(self, site: str | None) -> Any:
        """The site's extraction hints (the pipeline uses them when it extracts again)."""
        st = self.states.get(site or "")
        return st.profile.hints() if st else None

    def _inc(self, key: str, n: int = 1) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"{STATS}/{key}", n)

    def _closed(self, spider: Any = None, reason: str | None = None) -> None:
        self.pool.close()


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


def _conditional(known: Any) -> dict[str, str]:
    """Validators for a conditional GET of a URL the archive has (a 304 costs no body)."""
    headers = {}
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    if known is not None and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc == urlsplit(b).netloc
