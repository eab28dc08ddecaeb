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

ROBOTSTXT_OBEY = True
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
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
