"""Crawl throughput: a full egovcrawl crawl (fetch + extract + store) beside a bare Scrapy spider
that only fetches the same pages, in the same run, over loopback; and peak memory.

    python benchmarks/crawl_bench.py                    # 10,000 articles
    python benchmarks/crawl_bench.py --pages 10000 --pages 50000
    python benchmarks/crawl_bench.py --pages 2000 --only egovcrawl

The generated site is served by a small asyncio HTTP server in its own process (keep-alive,
pages built from a fixed pool of paragraphs, ~25 KB each, so the server is not the bottleneck):
`/` links to 10 section fronts, each paginated (20 article teasers and a `rel=next` link per
page); each article is a realistic news page (header, mega-menu, date, views, text, footer).
Both crawls use the same concurrency (CONCURRENT_REQUESTS=128, no delay, no AutoThrottle,
CONCURRENT_ITEMS=4) and run each in a fresh process (a Twisted reactor runs once per process).

Reported: pages/s of each, the ratio egovcrawl / bare (target ≥ 0.3), peak memory of the crawl
process plus its extraction workers (target ≤ 500 MB at 50k pages, not growing with the archive):
see MemorySampler for what is counted; peak RSS is in the raw JSON lines,
and the requests of a second, incremental egovcrawl run over the unchanged site against the
first run's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_LISTING = 20
SECTIONS = 10  # section fronts linked from the home page, each paginated with rel=next
ROOT = Path(__file__).resolve().parent.parent

# --- the generated site ---------------------------------------------------------------------

_rng = random.Random(7)
_REAL_WORDS = ("government digital service portal citizens online platform data open city council "
          "reform ministry e-government administration procedure application licence registry "
          "province municipal district transparency cloud interoperability identity payment "
          "health education transport tax budget statistics survey report strategy pilot "
          "programme agency residents businesses access mobile app information security")
_WORDS = _REAL_WORDS.split()
# pseudo-words beside real ones: a large vocabulary keeps unrelated articles unrelated for the
# near-duplicate detector (a 60-word vocabulary makes every page look like every other)
_WORDS += ["".join(_rng.choice("bcdfghklmnprstvz") + _rng.choice("aeiou")
                   for _ in range(_rng.randint(2, 4))) for _ in range(4000)]
# function words at their usual share, so the text reads as English to language detection
_STOP = ("the", "of", "and", "to", "in", "a", "for", "is", "on", "that", "with", "by", "as",
         "at", "from", "will", "be", "this", "are", "it")
_PARAS = [" ".join(_rng.choice(_STOP) if _rng.random() < 0.4 else _rng.choice(_WORDS)
                   for _ in range(_rng.randint(60, 120))).capitalize() + "."
          for _ in range(2000)]
# the weight of a real portal page around its text: a mega-menu, inline scripts and styles
_NAV = "".join(f'<li class="menu-item"><a href="/section/{i // 12}/{i}/">Section {i // 12}.{i}'
               f'</a></li>' for i in range(144))
_HEAD = ("<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px;color:#{i:06x}}}"
                             for i in range(150)) + "</style><script>var cfg = {"
         + ",".join(f'"k{i}": "{_rng.random():.12f}"' for i in range(250)) + "};</script>")
_FOOT = ("<footer><p>© 2024 Example Ministry of Digital Affairs · All rights reserved</p>"
         "<p><a href='/imprint'>Imprint</a> · <a href='/privacy'>Privacy</a></p></footer>")


def article(i: int) -> bytes:
    r = random.Random(i)
    paras = "".join(f"<p>{_PARAS[r.randrange(len(_PARAS))]}</p>" for _ in range(12))
    day = dt_str(i)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Digital service {i} launched - Example Ministry</title>{_HEAD}</head><body>"
            f"<header><div class='date'>Wednesday, 3.07.2024</div><nav><ul>{_NAV}</ul></nav>"
            f"</header><main><article><h1>Digital service {i} launched for residents</h1>"
            f"<p class='meta'>Published: {day} · Views: {i % 997}</p>"
            f"<p>Press release number {i} of the ministry on service {i}.</p>{paras}"
            f"</article><aside><h3>Latest news</h3><ul>"
            + "".join(f"<li><a href='/news/{(i + k) % 99991}.html'>Item {k}</a></li>"
                      for k in range(1, 3))
            + f"</ul></aside></main>{_FOOT}</body></html>").encode()


def dt_str(i: int) -> str:
    return f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"


def listing(section: int, n: int, pages: int) -> bytes:
    """Page n of a section's listing: its articles are those with i % SECTIONS == section."""
    ids = range(section + n * PER_LISTING * SECTIONS, pages, SECTIONS)[:PER_LISTING]
    items = "".join(
        f"<li><h3><a href='/news/{i}.html'>Digital service {i} launched for residents</a></h3>"
        f"<p>{dt_str(i)} Teaser of press release {i}. <a href='/news/{i}.html'>Read more</a>"
        f"</p></li>" for i in ids)
    more = section + (n + 1) * PER_LISTING * SECTIONS < pages
    nxt = f"<a rel='next' href='/list/{section}/{n + 1}.html'>Next</a>" if more else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>News - page {n + 1}"
            f"</title>{_HEAD}</head><body><header><nav><ul>{_NAV}</ul></nav></header><main>"
            f"<h1>News</h1><ul class='news'>{items}</ul><div class='pagination'>{nxt}</div>"
            f"</main>{_FOOT}</body></html>").encode()


def root(pages: int) -> bytes:
    links = "".join(f"<li><a href='/list/{s}/0.html'>Section {s}</a></li>"
                    for s in range(SECTIONS))
    return (f"<html><head><title>Example Ministry</title></head><body><nav><ul>{links}</ul>"
            f"</nav></body></html>").encode()


class _Http(asyncio.Protocol):
    pages = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            path = head.split(b" ", 2)[1].decode()
            status, body = self.route(path)
            self.transport.write(  # type: ignore[attr-defined]
                b"HTTP/1.1 %d X\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body))

    def route(self, path: str) -> tuple[int, bytes]:
        try:
            if path == "/":
                return 200, root(self.pages)
            if path.startswith("/list/"):
                section, n = (int(x) for x in path[6:].split(".")[0].split("/"))
                if section < SECTIONS and section + n * PER_LISTING * SECTIONS < self.pages:
                    return 200, listing(section, n, self.pages)
            if path.startswith("/news/"):
                i = int(path[6:].split(".")[0])
                if i < self.pages:
                    return 200, article(i)
        except ValueError:
            pass
        return 404, b"<html><body><h1>Not found</h1></body></html>"


def serve(port: int, pages: int) -> None:
    _Http.pages = pages

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Http, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- the two crawls (each run in its own process) -------------------------------------------

COMMON = {"CONCURRENT_REQUESTS": 128, "CONCURRENT_REQUESTS_PER_DOMAIN": 128,
          "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_ITEMS": 4,
          "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
          "COOKIES_ENABLED": False, "RETRY_ENABLED": False}


def crawl_bare(base: str) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = (base + "/",)

        def parse(self, response):  # type: ignore[no-untyped-def]
            yield {"url": response.url, "length": len(response.body)}
            for href in response.css("ul.news a::attr(href), nav a::attr(href), "
                                     "a[rel=next]::attr(href)").getall():
                if href.startswith(("/list/", "/news/")):
                    yield response.follow(href, self.parse)

    process = CrawlerProcess({**COMMON, "USER_AGENT": "bench"})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    start = time.perf_counter()
    with MemorySampler() as memory:
        process.start()
    out = _report(crawler, time.perf_counter() - start)
    out["peak_pss_mb"] = round(memory.peak_mb, 1)
    out["peak_anon_mb"] = round(memory.peak_anon_mb, 1)
    return out


class MemorySampler:
    """Peak memory of this process and all its descendants, sampled from /proc every 0.2 s:
    PSS (proportional set size: pages shared copy-on-write by the extraction workers count
    once) in total, and its anonymous part — the memory the crawl itself allocated, without the
    file-backed pages of the SQLite archive it reads through mmap, which the kernel may drop at
    any time and which grow with the archive file, not with the crawl. Linux only (0 elsewhere).
    """

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.peak_anon_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            total, anon = self.sample()
            self.peak_mb = max(self.peak_mb, total)
            self.peak_anon_mb = max(self.peak_anon_mb, anon)

    @staticmethod
    def sample() -> tuple[float, float]:
        me = os.getpid()
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = {me}, [me]
        while frontier:
            pid = frontier.pop()
            kids = [c for c, p in parents.items() if p == pid and c not in tree]
            tree.update(kids)
            frontier.extend(kids)
        total_kb = anon_kb = 0
        for pid in tree:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
                    elif line.startswith("Pss_Anon:"):
                        anon_kb += int(line.split()[1])
            except OSError:
                continue
        return total_kb / 1024, anon_kb / 1024


def crawl_egov(base: str, workdir: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from egovcrawl.crawler import resolve_profiles, run_crawl

    sites = Path(workdir) / "sites.toml"
    # the bare spider follows listing and article links only: so does this profile
    sites.write_text(f'[sites.bench]\nstart_urls = ["{base}/"]\ndate_order = "YMD"\n'
                     f"max_pages = 1000000\nmax_depth = 3\ndiscover_sitemaps = false\n"
                     f"follow_links = true\ndeny = ['/section/']\n", encoding="utf-8")
    profiles = resolve_profiles(sites, ["bench"])
    db = Path(workdir) / "bench.db"  # kept between runs: a second run is incremental
    start = time.perf_counter()
    with MemorySampler() as memory:
        result = run_crawl(profiles, db, sites, overrides=COMMON)
    elapsed = time.perf_counter() - start
    stats = result.stats
    from egovcrawl.worker import default_workers

    out = {"pages": stats.get("response_received_count", 0), "seconds": elapsed,
           "articles": result.articles, "exit": result.exit_code, "workers": default_workers(),
           "peak_pss_mb": round(memory.peak_mb, 1),
           "peak_anon_mb": round(memory.peak_anon_mb, 1)}
    out.update(_rss())
    return out


def _report(crawler, elapsed: float) -> dict:  # type: ignore[no-untyped-def]
    stats = crawler.stats.get_stats()
    out = {"pages": stats.get("response_received_count", 0), "seconds": elapsed}
    out.update(_rss())
    return out


def _rss() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "worker_peak_rss_mb": round(kids, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child(kind: str, base: str, workdir: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--base", base,
                           "--workdir", workdir], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} crawl failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, action="append",
                    help="articles in the generated site (repeatable; default 10000)")
    ap.add_argument("--only", choices=["bare", "egovcrawl"], default=None)
    ap.add_argument("--child", choices=["bare", "egovcrawl"], help=argparse.SUPPRESS)
    ap.add_argument("--serve", type=int, nargs=2, metavar=("PORT", "PAGES"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    if args.child:
        result = (crawl_bare(args.base) if args.child == "bare"
                  else crawl_egov(args.base, args.workdir))
        print(json.dumps(result))
        return
    print(f"# crawl_bench on {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print("| articles | bare Scrapy pages/s | egovcrawl pages/s | ratio | egovcrawl peak memory, "
          "crawl + workers: anonymous (with mmap'd archive pages) | bare Scrapy peak memory | "
          "second run: requests / first run's |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for pages in args.pages or [10_000]:
        port = _free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(pages)])
        try:
            time.sleep(1.0)
            base = f"http://127.0.0.1:{port}"
            with tempfile.TemporaryDirectory() as tmp:
                bare = _child("bare", base, tmp) if args.only != "egovcrawl" else None
                egov = _child("egovcrawl", base, tmp) if args.only != "bare" else None
                # the nightly case: the same site again, nothing changed, same archive
                again = _child("egovcrawl", base, tmp) if egov else None
        finally:
            server.terminate()
            server.wait()
        b = bare["pages"] / bare["seconds"] if bare else float("nan")
        e = egov["pages"] / egov["seconds"] if egov else float("nan")
        erss = (f"{egov['peak_anon_mb']:.0f} MB ({egov['peak_pss_mb']:.0f} MB)"
                if egov else "-")
        brss = f"{bare['peak_anon_mb']:.0f} MB ({bare['peak_pss_mb']:.0f} MB)" if bare else "-"
        inc = f"{again['pages']} / {egov['pages']}" if egov and again else "-"
        print(f"| {pages:,} | {b:.0f} | {e:.0f} | {e / b:.2f} | {erss} | {brss} | {inc} |",
              flush=True)
        if egov:
            print(f"<!-- egovcrawl: {json.dumps(egov)} -->")
        if bare:
            print(f"<!-- bare: {json.dumps(bare)} -->")


if __name__ == "__main__":
    main()
