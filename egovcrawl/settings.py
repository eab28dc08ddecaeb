"""Scrapy settings for egovcrawl (`scrapy crawl` / `scrapy list` read these via scrapy.cfg).

Polite by default: robots.txt obeyed, an identifying User-Agent, AutoThrottle on. A crawl of
public-administration sites that gets a research group blocked helps nobody.
"""

BOT_NAME = "egovcrawl"
SPIDER_MODULES = ["egovcrawl.spiders"]
NEWSPIDER_MODULE = "egovcrawl.spiders"

# Who we are and how to reach us; deployments should set EGOVCRAWL_CONTACT_URL to their own page.
EGOVCRAWL_CONTACT_URL = "https://github.com/egovcrawl/egovcrawl"
USER_AGENT = f"egovcrawl/0.1 (+{EGOVCRAWL_CONTACT_URL})"

# The archive and the site profiles (`egovcrawl crawl --db/--sites` set these too).
EGOVCRAWL_ARCHIVE = "data/archive.db"
# Archive reads through mmap, in bytes: 0 keeps a crawl's memory flat however large the archive
# grows (its pages stay in the OS cache, not in the process); bulk tools use 2 GiB.
EGOVCRAWL_ARCHIVE_MMAP = 0
EGOVCRAWL_SITES = "data/sites.toml"
# Extraction worker processes beside the reactor: -1 = one per core, at most 4 (none on a
# one-core machine), 0 = extract in the crawl process (tests, tiny crawls).
EGOVCRAWL_EXTRACT_WORKERS = -1
ITEM_PIPELINES = {"egovcrawl.pipelines.ArchivePipeline": 300}
# A one-line live progress display on stderr (the CLI switches it on for terminals).
EXTENSIONS = {"egovcrawl.extensions.Progress": 500}
EGOVCRAWL_PROGRESS = False

ROBOTSTXT_OBEY = True
# A robots.txt that answers 5xx/429 or cannot be fetched means "disallow everything" for this
# run (RFC 9309), not "no rules" as in Scrapy; "allow" restores Scrapy's behaviour.
EGOVCRAWL_ROBOTS_UNREACHABLE = "disallow"
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy's default of 100 starts that many tasks per response and halves throughput (scrapy#5182).
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]

# egovcrawl.middlewares: retries wait (Retry-After or exponential backoff) and a per-site
# circuit breaker. The breaker sits before robots.txt (100) so an open site costs no robots
# fetch, and before the retry slot, so it sees each request's final outcome after its retries.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "egovcrawl.middlewares.UnreachableRobotsTxtMiddleware": 100,
    "egovcrawl.middlewares.BackoffRetryMiddleware": 550,
    "egovcrawl.middlewares.CircuitBreakerMiddleware": 90,
}
# Backoff before retry n (1, 2, ...): min(MAX, BASE * 2**(n-1)) seconds, the upper half of it
# random (jitter). Used when the response gives no usable Retry-After and for network errors.
EGOVCRAWL_BACKOFF_BASE = 1.0
EGOVCRAWL_BACKOFF_MAX = 60.0
# A 429/503 Retry-After (seconds or HTTP-date) is waited for, and the site's other requests
# wait with it, up to this many seconds; a longer one is not retried: the response is final.
EGOVCRAWL_RETRY_AFTER_MAX = 120.0
# Per site (the profile name, else host:port): after this many consecutive failures (final
# 5xx/408/429 responses, network errors after retries) the site's remaining requests are
# skipped for the rest of the crawl; any other response resets the count. 0 switches it off.
EGOVCRAWL_BREAKER_ENABLED = True
EGOVCRAWL_BREAKER_THRESHOLD = 10
# A site that asks for a Retry-After above EGOVCRAWL_RETRY_AFTER_MAX is left alone at once.
EGOVCRAWL_BREAKER_ON_LONG_RETRY_AFTER = True
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
# Page requests follow redirects in the spider (scope, loops, at most 5); this caps the rest.
REDIRECT_MAX_TIMES = 5
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
