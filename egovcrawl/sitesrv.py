"""Serve sample web sites from directories on 127.0.0.1, for `egovcrawl demo` and crawl tests.

A crawler is only testable against sites that behave like real ones: several hosts, a robots.txt,
a gzipped sitemap, Joomla query URLs, a GBK portal whose headers lie about the charset, a
calendar that pages forever, conditional GET. `SiteServer` serves each site directory from its own
port (one host per site, as the crawler sees it) and records every request, so a test can assert
what a crawl asked for, not just what it stored::

    with SiteServer({"news": Path("sites/news")}) as server:
        url = server.base_url("news")            # "http://127.0.0.1:PORT"
        ...crawl...
        assert "/admin/" not in server.requests.paths("news")

Files are read on every request, so a test may copy a site to a temporary directory and edit it
between two crawls (an unchanged file keeps its ETag; `_site.toml` is re-read when it changes).
Nothing is logged unless `log=` is given: the server runs inside tests and `egovcrawl demo`.

Site directory
--------------
* A request path maps to the file of that name (percent-decoded, so `/2020/08/%e6%95%b0/` finds
  the directory `2020/08/数/`). A path ending in `/` serves the directory's index file
  (`index.html`); a directory asked for without the slash is redirected (301) to it, as Apache
  does. Names starting with `_` or `.` are never served by path: `_site.toml`, `_404.html` and
  templates reachable only through routes live there.
* Text files (html, shtml, xml, txt, rss, json, ...) are templates: `{{base}}` becomes this site's
  base URL and `{{base:OTHER}}` another served site's (`{{port}}`, `{{port:OTHER}}`: the port
  alone, for a URL on another host name such as `http://localhost:{{port:OTHER}}/`), substituted
  on the bytes so a GBK file stays GBK. A reference to a site that is not served is an error
  (500), not a silent broken link.
* `X.gz` asked for where only `X` exists is served as `X` rendered and gzipped (sitemap.xml.gz).
* Every 200 carries a strong ETag (hash of the body sent) and Last-Modified; a matching
  `If-None-Match` (or, without it, `If-Modified-Since`) gets 304 with no body. HEAD works.
* An unknown path or query gets 404 with the site's `_404.html` (or a plain page).

`_site.toml` (optional; every key optional)
------------------------------------------
::

    last_modified = 2024-07-03T10:30:00Z   # Last-Modified of every file (default: file mtime)
    index = ["index.html"]                 # directory index names, tried in order
    try_suffixes = [".html"]               # /a/b also finds a/b.html (Joomla SEF URLs)
    ignore_params = ["utm_*", "replytocom"] # query parameters the site ignores (`*` = prefix)
    not_found = "_404.html"                # body of 404 responses (a template)
    gzip_type = "application/x-gzip"       # Content-Type of a generated .gz (application/gzip)
    fault = "status:500"                   # every request of the site fails (a route's faults)
    fault_times = 0                        # ... only the first N requests of the site (0 = all)

    [charset]                              # charset declared per extension; "" declares none
    html = "utf-8"
    shtml = "gb2312"

    [types]                                # Content-Type per extension (without charset)
    shtml = "text/html"

    # Routes: one table per request target. "PATH" matches requests without a query (after
    # ignore_params are dropped), "PATH?a=1&b=2" that exact query in any order, "PATH?*" any
    # query. Keys of a route:
    [routes."/index.php?option=com_content&view=article&id=12"]
    file = "index.php/china/12-slug.html"  # the file served (may start with `_`)
    status = 200                           # status of the response
    content_type = "text/html"             # overrides [types]
    charset = "gb2312"                     # overrides [charset]; "" = no charset parameter
    headers = { "X-Powered-By" = "PHP/5.6" }
    last_modified = 2021-05-12T09:14:33Z
    redirect = "/new/path"                 # 301 to it (template; relative to this site)
    fault = "status:503"                   # or reset, reset-body, slow, drip, truncate (below)
    fault_times = 2                        # the fault hits only the first N requests (0 = all)
    delay = 0.5                            # seconds "slow" waits before each half, "drip"
                                           # before each tenth of the body

    [routes."/huge"]                       # a generated page: `size` bytes of HTML made while
    dynamic = "large"                      # sent (default 50 MB), with Content-Length or, when
    size = 52428800                        # chunked = true, chunked with none
    chunked = false

    [routes."/bomb"]                       # Content-Encoding: gzip whose body inflates to `size`
    dynamic = "gzip-bomb"                  # bytes of HTML (about size/1000 on the wire)
    size = 104857600

    [routes."/events/calendar"]            # a dynamic route: an endless month calendar
    dynamic = "calendar"
    template = "_calendar.html"            # {{cal:month}} {{cal:label}} {{cal:prev}}
    start = "2024-07"                      # {{cal:next}} {{cal:grid}} {{cal:events}}
    events = { "2024-07-10" = "eGovernment Forum" }

The calendar answers `?month=YYYY-MM` for every month from 0001-01 to 9999-12 with links to the
previous and next month: the trap a crawler must bound. Faults: `status:NNN` sends that status
(with the route's headers, e.g. Retry-After); `reset` closes the connection with a TCP reset
before any byte; `reset-body` sends the headers and half the body, then resets; `slow` waits
`delay` seconds before the headers and again before the body; `drip` sends the headers at once
and the body in ten pieces, `delay` seconds before each; `truncate` promises the whole body in
Content-Length, sends half and closes.
"""

from __future__ import annotations

import calendar as calendar_mod
import datetime as dt
import email.utils
import gzip
import hashlib
import html
import re
import socket
import struct
import sys
import threading
import time
import tomllib
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote, urlsplit

CONFIG_NAME = "_site.toml"
HOST = "127.0.0.1"
#: Extensions whose files are templates ({{base}} substitution) and get a charset by default.
TEXT_EXTENSIONS = frozenset(
    {"html", "htm", "shtml", "xml", "txt", "rss", "atom", "json", "css", "js", "csv"}
)
DEFAULT_TYPES = {
    "html": "text/html", "htm": "text/html", "shtml": "text/html", "xml": "application/xml",
    "txt": "text/plain", "rss": "application/rss+xml", "atom": "application/atom+xml",
    "json": "application/json", "css": "text/css", "js": "text/javascript", "csv": "text/csv",
    "pdf": "application/pdf", "gz": "application/gzip", "zip": "application/zip",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "svg": "image/svg+xml", "ico": "image/x-icon",
}
FAULTS = ("reset", "reset-body", "slow", "drip", "truncate")
DYNAMICS = ("calendar", "large", "gzip-bomb")
ROUTE_KEYS = frozenset({
    "file", "status", "content_type", "charset", "headers", "last_modified", "redirect", "fault",
    "fault_times", "delay", "dynamic", "template", "start", "events", "size", "chunked",
})
SITE_KEYS = frozenset({
    "last_modified", "index", "try_suffixes", "ignore_params", "not_found", "gzip_type",
    "charset", "types", "routes", "fault", "fault_times",
})
TEMPLATE_TOKEN = re.compile(rb"\{\{((?:base|port)(?::[A-Za-z0-9_.-]+)?|cal:[a-z]+)\}\}")
#: Pieces a "drip" body is cut into (`delay` seconds before each).
DRIP_PIECES = 10
#: Default size of a generated page ("large", "gzip-bomb"): 50 MB.
LARGE_SIZE = 50 * 1024 * 1024
#: Bytes per write of a generated ("large") body: it is never held in memory whole.
STREAM_CHUNK = 64 * 1024
MONTH_PARAM = re.compile(r"(\d{4})-(\d{2})")


class SiteConfigError(ValueError):
    """A `_site.toml` that cannot be used; the message names the file and the key."""


class TemplateError(RuntimeError):
    """A template names a site that is not served."""


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """What one request target serves; see the module docstring for the keys."""

    file: str | None = None
    status: int = 200
    content_type: str | None = None
    charset: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    last_modified: dt.datetime | None = None
    redirect: str | None = None
    fault: str | None = None
    fault_times: int = 0
    delay: float = 0.5
    dynamic: str | None = None
    template: str | None = None
    start: str | None = None
    events: tuple[tuple[str, str], ...] = ()
    size: int = LARGE_SIZE
    chunked: bool = False


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """A parsed `_site.toml`."""

    last_modified: dt.datetime | None = None
    index: tuple[str, ...] = ("index.html",)
    try_suffixes: tuple[str, ...] = ()
    ignore_params: tuple[str, ...] = ()
    not_found: str | None = None
    gzip_type: str = "application/gzip"
    charset: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    #: (path, query) -> Route; query is None (no query), "*" (any) or the sorted pairs
    routes: Mapping[tuple[str, Any], Route] = field(default_factory=dict)
    #: a fault of every request of the site (the whole site is down), or None
    fault: str | None = None
    fault_times: int = 0

    @classmethod
    def load(cls, path: Path) -> SiteConfig:
        if not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SiteConfigError(f"{path}: {exc}") from None
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: Mapping[str, Any], where: str = CONFIG_NAME) -> SiteConfig:
        unknown = set(data) - SITE_KEYS
        if unknown:
            raise SiteConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        routes: dict[tuple[str, Any], Route] = {}
        for target, spec in _table(data, "routes", where).items():
            if not isinstance(spec, Mapping):
                raise SiteConfigError(f"{where}: routes.{target!r} must be a table")
            routes[_route_key(target, where)] = _parse_route(spec, f"{where}: routes.{target!r}")
        return cls(
            last_modified=_datetime(data.get("last_modified"), f"{where}: last_modified"),
            index=tuple(_strings(data.get("index", ["index.html"]), f"{where}: index")),
            try_suffixes=tuple(_strings(data.get("try_suffixes", []), f"{where}: try_suffixes")),
            ignore_params=tuple(p.lower() for p in _strings(
                data.get("ignore_params", []), f"{where}: ignore_params")),
            not_found=_string(data.get("not_found"), f"{where}: not_found"),
            gzip_type=_string(data.get("gzip_type"), f"{where}: gzip_type") or "application/gzip",
            charset={k.lower(): str(v) for k, v in _table(data, "charset", where).items()},
            types={k.lower(): str(v) for k, v in _table(data, "types", where).items()},
            routes=routes,
            fault=_fault(data.get("fault"), f"{where}: fault"),
            fault_times=_count(data.get("fault_times", 0), f"{where}: fault_times"),
        )

    def ignored(self, name: str) -> bool:
        name = name.lower()
        return any(
            name.startswith(p[:-1]) if p.endswith("*") else name == p for p in self.ignore_params
        )


def _parse_route(spec: Mapping[str, Any], where: str) -> Route:
    unknown = set(spec) - ROUTE_KEYS
    if unknown:
        raise SiteConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    status = spec.get("status", 301 if "redirect" in spec else 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise SiteConfigError(f"{where}: status must be an HTTP status code, not {status!r}")
    fault = _fault(spec.get("fault"), f"{where}: fault")
    dynamic = _string(spec.get("dynamic"), f"{where}: dynamic")
    if dynamic is not None and dynamic not in DYNAMICS:
        raise SiteConfigError(
            f"{where}: dynamic must be {', '.join(DYNAMICS)}, not {dynamic!r}")
    if dynamic == "calendar" and not spec.get("template"):
        raise SiteConfigError(f"{where}: a calendar needs a template file")
    size = spec.get("size", LARGE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise SiteConfigError(f"{where}: size must be a number of bytes >= 0, not {size!r}")
    chunked = spec.get("chunked", False)
    if not isinstance(chunked, bool):
        raise SiteConfigError(f"{where}: chunked must be true or false, not {chunked!r}")
    start = _string(spec.get("start"), f"{where}: start")
    if start is not None and _month(start) is None:
        raise SiteConfigError(f"{where}: start must be YYYY-MM, not {start!r}")
    headers = spec.get("headers", {})
    events = spec.get("events", {})
    if not isinstance(headers, Mapping) or not isinstance(events, Mapping):
        raise SiteConfigError(f"{where}: headers and events must be tables")
    for key in ("fault_times", "delay"):
        if not isinstance(spec.get(key, 0), int | float) or spec.get(key, 0) < 0:
            raise SiteConfigError(f"{where}: {key} must be a number >= 0")
    return Route(
        file=_string(spec.get("file"), f"{where}: file"),
        status=status,
        content_type=_string(spec.get("content_type"), f"{where}: content_type"),
        charset=_string(spec.get("charset"), f"{where}: charset"),
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        last_modified=_datetime(spec.get("last_modified"), f"{where}: last_modified"),
        redirect=_string(spec.get("redirect"), f"{where}: redirect"),
        fault=fault,
        fault_times=int(spec.get("fault_times", 0)),
        delay=float(spec.get("delay", 0.5)),
        dynamic=dynamic,
        template=_string(spec.get("template"), f"{where}: template"),
        start=start,
        events=tuple(sorted((str(k), str(v)) for k, v in events.items())),
        size=size,
        chunked=chunked,
    )


def _fault(value: Any, where: str) -> str | None:
    fault = _string(value, where)
    if fault is not None and fault not in FAULTS:
        code = fault.removeprefix("status:")
        if not (fault.startswith("status:") and code.isdigit() and 100 <= int(code) <= 599):
            raise SiteConfigError(
                f"{where} must be {', '.join(FAULTS)} or status:NNN, not {fault!r}")
    return fault


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SiteConfigError(f"{where} must be a whole number >= 0, not {value!r}")
    return value


def _route_key(target: str, where: str) -> tuple[str, Any]:
    if not target.startswith("/"):
        raise SiteConfigError(f"{where}: route {target!r} must start with '/'")
    path, sep, query = target.partition("?")
    if not sep:
        return path, None
    if query == "*":
        return path, "*"
    return path, tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise SiteConfigError(f"{where}: {key} must be a table")
    return value


def _string(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise SiteConfigError(f"{where}: expected a string, not {value!r}")


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise SiteConfigError(f"{where}: expected a list of strings, not {value!r}")


def _datetime(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise SiteConfigError(f"{where}: not an ISO date or datetime: {value!r}") from None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise SiteConfigError(f"{where}: expected a date or datetime, not {value!r}")


def _month(text: str) -> tuple[int, int] | None:
    m = MONTH_PARAM.fullmatch(text)
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    return (year, month) if year >= 1 and 1 <= month <= 12 else None


# --- responses -------------------------------------------------------------------------------


@dataclass(slots=True)
class Response:
    """What the handler sends; `fault` tells it to misbehave instead."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    fault: str | None = None
    delay: float = 0.0
    #: a body generated while it is sent (too big to hold), `length` bytes or chunked if None
    stream: Iterator[bytes] | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it: the crawl tests assert on these."""

    site: str
    method: str
    path: str  # the request target as sent: path and query
    headers: Mapping[str, str]
    status: int  # 0 when the connection was reset before a status was sent


class RequestLog:
    """Thread-safe record of every request, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def for_site(self, site: str) -> list[RequestRecord]:
        return [r for r in self.snapshot() if r.site == site]

    def paths(self, site: str | None = None) -> list[str]:
        """Request targets (path?query), optionally of one site, in arrival order."""
        return [r.path for r in self.snapshot() if site is None or r.site == site]

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)


class Site:
    """One site directory: turns a request target into a `Response` (no sockets here)."""

    def __init__(self, name: str, root: Path, bases: Mapping[str, str]) -> None:
        self.name = name
        self.root = root.resolve()
        self._bases = bases  # filled by SiteServer.start() once every port is known
        self._config_lock = threading.Lock()
        self._config_stamp: float | None = None
        self._config = SiteConfig()
        self._fault_counts: dict[str, int] = {}
        self.config  # noqa: B018 -- load now: a broken _site.toml fails start(), not a request

    @property
    def config(self) -> SiteConfig:
        path = self.root / CONFIG_NAME
        with self._config_lock:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                stamp = None
            if stamp != self._config_stamp:
                self._config = SiteConfig.load(path)
                self._config_stamp = stamp
            return self._config

    @property
    def base(self) -> str:
        return self._bases[self.name]

    # The request target -> response -----------------------------------------------------------

    def respond(self, method: str, target: str, headers: Mapping[str, str]) -> Response:
        config = self.config
        parts = urlsplit(target)
        path = parts.path or "/"
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if not config.ignored(k)]
        if config.fault and self._fault_due("", config.fault_times):
            down = Route(fault=config.fault)  # the whole site is down: every target fails
            if config.fault.startswith("status:"):
                return self._status_fault(down)
            return self._with_fault(self._serve_target(config, path, pairs, headers), down)
        return self._serve_target(config, path, pairs, headers)

    def _serve_target(self, config: SiteConfig, path: str, pairs: list[tuple[str, str]],
                      headers: Mapping[str, str]) -> Response:
        route = self._route(config, path, pairs)
        if route is not None:
            response = self._from_route(config, route, path, pairs)
        elif pairs:
            response = self._not_found(config)
        else:
            response = self._from_path(config, path)
        if response.status == 200 and not response.fault and response.stream is None:
            response = self._conditional(response, headers)
        return response

    def _route(self, config: SiteConfig, path: str, pairs: list[tuple[str, str]]) -> Route | None:
        routes = config.routes
        if pairs:
            found = routes.get((path, tuple(sorted(pairs)))) or routes.get((path, "*"))
            if found is None:
                route = routes.get((path, None))
                found = route if route is not None and route.dynamic else None
            return found
        return routes.get((path, None))

    def _from_route(self, config: SiteConfig, route: Route, path: str,
                    pairs: list[tuple[str, str]]) -> Response:
        if route.fault and self._fault_due(path, route.fault_times):
            if route.fault.startswith("status:"):
                return self._status_fault(route)
            return self._with_fault(self._from_route(config, _no_fault(route), path, pairs),
                                    route)
        if route.redirect is not None:
            location = self._render(route.redirect.encode(), {}).decode()
            if location.startswith("/"):
                location = self.base + location
            return Response(route.status, [("Location", location),
                                           ("Content-Type", "text/html; charset=utf-8"),
                                           *route.headers],
                            _plain_page(route.status, f"Moved to {location}"))
        if route.dynamic == "calendar":
            return self._calendar(config, route, path, pairs)
        if route.dynamic == "large":
            return _large_page(route)
        if route.dynamic == "gzip-bomb":
            return Response(200, [("Content-Type", route.content_type or "text/html"),
                                  ("Content-Encoding", "gzip"), *route.headers],
                            _gzip_bomb(route.size))
        if route.file is None:
            # a route that only adds a status, headers, a charset or a fault to a served path
            response = self._from_path(config, path, route)
            if response.status == 404 and route.status != 404:
                body = _plain_page(route.status, f"{route.status} {_reason(route.status)}")
                return Response(route.status, [("Content-Type", "text/html; charset=utf-8"),
                                               *route.headers], body)
            return response
        file = self._file(route.file, private_ok=True)
        if file is None:
            return self._not_found(config)
        return self._file_response(config, file, route=route)

    def _from_path(self, config: SiteConfig, path: str, route: Route | None = None) -> Response:
        rel = unquote(path)
        if rel.endswith("/"):
            for name in config.index:
                file = self._file(rel + name)
                if file is not None:
                    return self._file_response(config, file, route=route)
            return self._not_found(config)
        file = self._file(rel)
        if file is not None:
            return self._file_response(config, file, route=route)
        for suffix in config.try_suffixes:
            file = self._file(rel + suffix)
            if file is not None:
                return self._file_response(config, file, route=route)
        directory = self._file(rel, directory=True)
        if directory is not None and any((directory / n).is_file() for n in config.index):
            return Response(301, [("Location", f"{self.base}{path}/"),
                                  ("Content-Type", "text/html; charset=utf-8")],
                            _plain_page(301, "Moved Permanently"))
        if rel.endswith(".gz"):
            # sitemap.xml.gz from sitemap.xml: the file (or the route naming one), gzipped
            inner = config.routes.get((path[:-3], None))
            if inner is not None and inner.file:
                source = self._file(inner.file, private_ok=True)
            else:
                source = self._file(rel[:-3])
            if source is not None:
                return self._file_response(config, source, gzipped=True)
        return self._not_found(config)

    def _file(self, rel: str, *, private_ok: bool = False, directory: bool = False) -> Path | None:
        parts = [p for p in rel.split("/") if p]
        if any(p in (".", "..") or (not private_ok and p.startswith(("_", "."))) for p in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            candidate = candidate.resolve()
        except OSError:
            return None
        if not candidate.is_relative_to(self.root):
            return None
        if directory:
            return candidate if candidate.is_dir() else None
        return candidate if candidate.is_file() else None

    def _file_response(self, config: SiteConfig, file: Path, *, route: Route | None = None,
                       gzipped: bool = False) -> Response:
        body = file.read_bytes()
        ext = file.suffix.lower().lstrip(".")
        if ext in TEXT_EXTENSIONS:
            body = self._render(body, {})
        if gzipped:
            body = gzip.compress(body, mtime=0)
            content_type = config.gzip_type
        else:
            content_type = self._content_type(config, ext, route)
        modified = (route.last_modified if route and route.last_modified else None) \
            or config.last_modified \
            or dt.datetime.fromtimestamp(int(file.stat().st_mtime), dt.UTC)
        status = route.status if route else 200
        headers = [("Content-Type", content_type), *(route.headers if route else ())]
        if status == 200:
            headers.append(("Last-Modified", email.utils.format_datetime(modified, usegmt=True)))
        return Response(status, headers, body)

    def _content_type(self, config: SiteConfig, ext: str, route: Route | None) -> str:
        mime = (route.content_type if route else None) or config.types.get(ext) \
            or DEFAULT_TYPES.get(ext, "application/octet-stream")
        charset = route.charset if route and route.charset is not None else None
        if charset is None:
            charset = config.charset.get(ext)
        if charset is None and (ext in TEXT_EXTENSIONS or mime.startswith("text/")):
            charset = "utf-8"
        return f"{mime}; charset={charset}" if charset else mime

    def _not_found(self, config: SiteConfig) -> Response:
        body = None
        if config.not_found:
            file = self._file(config.not_found, private_ok=True)
            if file is not None:
                body = self._render(file.read_bytes(), {})
        if body is None:
            body = _plain_page(404, "404 Not Found")
        charset = config.charset.get("html", "utf-8")
        ctype = f"text/html; charset={charset}" if charset else "text/html"
        return Response(404, [("Content-Type", ctype)], body)

    def _calendar(self, config: SiteConfig, route: Route, path: str,
                  pairs: list[tuple[str, str]]) -> Response:
        params = dict(pairs)
        if set(params) - {"month"} or len(pairs) != len(params):
            return self._not_found(config)
        month = _month(params.get("month") or route.start or "2024-01")
        file = self._file(route.template or "", private_ok=True)
        if month is None or file is None:
            return self._not_found(config)
        year, mon = month
        prev = (year, mon - 1) if mon > 1 else (year - 1, 12)
        nxt = (year, mon + 1) if mon < 12 else (year + 1, 1)
        key = f"{year:04d}-{mon:02d}"
        events = [(day, title) for day, title in route.events if day.startswith(key)]
        values = {
            "cal:month": key,
            "cal:label": f"{calendar_mod.month_name[mon]} {year:04d}",
            "cal:prev": _month_link(path, prev) if prev[0] >= 1 else "",
            "cal:next": _month_link(path, nxt) if nxt[0] <= 9999 else "",
            "cal:grid": _month_grid(year, mon, {d for d, _ in events}),
            "cal:events": "".join(
                f'<li><span class="event-date">{html.escape(d)}</span> {html.escape(t)}</li>'
                for d, t in events) or '<li class="no-events">No events this month.</li>',
        }
        body = self._render(file.read_bytes(), values)
        ext = file.suffix.lower().lstrip(".")
        modified = route.last_modified or config.last_modified or dt.datetime(2024, 1, 1,
                                                                              tzinfo=dt.UTC)
        return Response(200, [("Content-Type", self._content_type(config, ext, route)),
                              ("Last-Modified", email.utils.format_datetime(modified, usegmt=True)),
                              *route.headers], body)

    def _render(self, body: bytes, values: Mapping[str, str]) -> bytes:
        if b"{{" not in body:
            return body

        def sub(m: re.Match[bytes]) -> bytes:
            token = m[1].decode("ascii")
            if token == "base":
                return self.base.encode("ascii")
            if token == "port":
                return self.base.rsplit(":", 1)[1].encode("ascii")
            if token.startswith(("base:", "port:")):
                other = token[5:]
                if other not in self._bases:
                    raise TemplateError(
                        f"site {self.name!r}: template names unknown site {other!r}")
                base = self._bases[other]
                return (base if token.startswith("base:") else base.rsplit(":", 1)[1]).encode()
            if token in values:
                return values[token].encode("ascii", "xmlcharrefreplace")
            return m[0]

        return TEMPLATE_TOKEN.sub(sub, body)

    def _conditional(self, response: Response, headers: Mapping[str, str]) -> Response:
        etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
        response.headers.append(("ETag", etag))
        lowered = {k.lower(): v for k, v in headers.items()}
        not_modified = False
        if "if-none-match" in lowered:
            tags = [t.strip().removeprefix("W/") for t in lowered["if-none-match"].split(",")]
            not_modified = "*" in tags or etag in tags
        elif "if-modified-since" in lowered:
            modified = dict(response.headers).get("Last-Modified")
            try:
                since = email.utils.parsedate_to_datetime(lowered["if-modified-since"])
                mtime = email.utils.parsedate_to_datetime(modified) if modified else None
            except (TypeError, ValueError):
                since = mtime = None
            if since is not None and mtime is not None:
                if since.tzinfo is None:
                    since = since.replace(tzinfo=dt.UTC)
                not_modified = mtime <= since
        if not not_modified:
            return response
        keep = {"etag", "last-modified", "cache-control", "expires", "vary", "content-location"}
        return Response(304, [(k, v) for k, v in response.headers if k.lower() in keep])

    def _fault_due(self, path: str, times: int) -> bool:
        """Whether the fault of `path` ("" = the site's) hits this request: the first `times`."""
        if times <= 0:
            return True
        with self._config_lock:
            count = self._fault_counts.get(path, 0)
            self._fault_counts[path] = count + 1
        return count < times

    @staticmethod
    def _status_fault(route: Route) -> Response:
        status = int((route.fault or "").removeprefix("status:"))
        body = _plain_page(status, f"{status} {_reason(status)}")
        return Response(status, [("Content-Type", "text/html; charset=utf-8"), *route.headers],
                        body)

    @staticmethod
    def _with_fault(response: Response, route: Route) -> Response:
        response.fault = route.fault
        response.delay = route.delay
        return response


def _no_fault(route: Route) -> Route:
    return replace(route, fault=None)


_LARGE_HEAD = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>A very large page" \
    b"</title></head><body><h1>A very large page</h1>\n"
_LARGE_FILL = b"<p>Generated filler of a very large page, sent as it is made.</p>\n"
_LARGE_TAIL = b"</body></html>\n"


def _large_page(route: Route) -> Response:
    """`size` bytes of HTML made while they are sent (50 MB by default): Content-Length, or
    chunked with none when `chunked` (the client learns the size only by receiving it)."""
    size = max(route.size, len(_LARGE_HEAD) + len(_LARGE_TAIL))

    def body() -> Iterator[bytes]:
        yield _LARGE_HEAD
        left = size - len(_LARGE_HEAD) - len(_LARGE_TAIL)
        block = _LARGE_FILL * (STREAM_CHUNK // len(_LARGE_FILL))
        while left > 0:
            piece = block[:left]
            left -= len(piece)
            yield piece
        yield _LARGE_TAIL

    ctype = f"{route.content_type or 'text/html'}; charset=utf-8"
    return Response(200, [("Content-Type", ctype), *route.headers], stream=body(),
                    length=None if route.chunked else size)


@lru_cache(maxsize=4)
def _gzip_bomb(size: int) -> bytes:
    """A gzip stream of an HTML page `size` bytes long, about a thousandth of that in size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer
    head = b"<!DOCTYPE html><html><head><title>Bomb</title></head><body><p>"
    parts = [packer.compress(head)]
    left = max(0, size - len(head))
    block = b" " * (1 << 20)
    while left > 0:
        piece = block[:left]
        left -= len(piece)
        parts.append(packer.compress(piece))
    parts.append(packer.flush())
    return b"".join(parts)


def _month_link(path: str, month: tuple[int, int]) -> str:
    return f"{path}?month={month[0]:04d}-{month[1]:02d}"


def _month_grid(year: int, month: int, event_days: set[str]) -> str:
    rows = ["<tr>" + "".join(f"<th>{d}</th>" for d in calendar_mod.day_abbr) + "</tr>"]
    for week in calendar_mod.Calendar().monthdayscalendar(year, month):
        cells = []
        for day in week:
            if not day:
                cells.append("<td></td>")
                continue
            iso = f"{year:04d}-{month:02d}-{day:02d}"
            cls = ' class="has-event"' if iso in event_days else ""
            cells.append(f"<td{cls}>{day}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="calendar-grid">' + "".join(rows) + "</table>"


def _reason(status: int) -> str:
    return BaseHTTPRequestHandler.responses.get(status, ("",))[0]


def _plain_page(status: int, message: str) -> bytes:
    text = html.escape(message)
    return (f"<!DOCTYPE html><html><head><title>{status} {html.escape(_reason(status))}</title>"
            f"</head><body><h1>{text}</h1></body></html>\n").encode()


# --- HTTP ------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive responses are not held back 40 ms
    server: _SiteHTTPServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        site = self.server.site
        request_headers = dict(self.headers.items())
        try:
            response = site.respond(self.command, self.path, request_headers)
        except (OSError, SiteConfigError, TemplateError) as exc:
            self.server.owner._note(f"{site.name}: {self.path}: {exc}")
            response = Response(500, [("Content-Type", "text/plain; charset=utf-8")],
                                f"500 {exc}\n".encode())
        status = 0 if response.fault == "reset" else response.status
        self.server.owner.requests.append(
            RequestRecord(site.name, self.command, self.path, request_headers, status))
        self._send(response, head=head)

    def _send(self, response: Response, *, head: bool) -> None:
        if response.fault == "reset":
            self._reset()  # before any byte of the response
            return
        if response.fault == "slow":
            time.sleep(response.delay)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stream is not None:
            if response.length is None:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(response.length))
        elif response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        if response.fault in ("truncate", "reset-body"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head or response.status == 304:
            return
        if response.stream is not None:
            self._send_stream(response.stream, chunked=response.length is None)
            return
        body = response.body
        if not body:
            return
        if response.fault == "truncate":
            body = body[: len(body) // 2]
        elif response.fault == "reset-body":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset()
            return
        elif response.fault == "slow":
            half = len(body) // 2
            self.wfile.write(body[:half])
            self.wfile.flush()
            time.sleep(response.delay)
            body = body[half:]
        elif response.fault == "drip":
            step = -(-len(body) // DRIP_PIECES)
            for start in range(0, len(body), step):
                time.sleep(response.delay)
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
            return
        self.wfile.write(body)

    def _send_stream(self, stream: Iterator[bytes], *, chunked: bool) -> None:
        for piece in stream:
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        """Close the connection with a TCP reset (SO_LINGER 0), not a clean end of file."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.wfile.close()  # the makefile()s hold the socket open until they are closed
        self.rfile.close()
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        self.server.owner._note(f"{self.server.site.name} {self.address_string()} "
                                f"{format % args}")


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog of 5 overflows on a crawler's burst of connections
    # (each dropped SYN costs a 1 s retransmit): a crawl of 300 pages took 12.8 s instead of 3.6
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, site: Site, owner: SiteServer) -> None:
        self.site = site
        self.owner = owner
        super().__init__((HOST, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client hung up: normal for crawlers that cancel requests
        self.owner._note(f"{self.site.name}: error serving {client_address}: {exc!r}")


class SiteServer:
    """Serve each site directory on its own port of 127.0.0.1 until `stop()`.

    `log`: a stream for an access log and errors (default: silent).
    """

    def __init__(self, sites: Mapping[str, Path | str], *, log: TextIO | None = None) -> None:
        if not sites:
            raise ValueError("SiteServer needs at least one site")
        self._bases: dict[str, str] = {}
        self._sites = {name: Site(name, Path(root), self._bases) for name, root in sites.items()}
        for name, site in self._sites.items():
            if not site.root.is_dir():
                raise FileNotFoundError(f"site {name!r}: no directory {site.root}")
        self._log = log
        self._log_lock = threading.Lock()
        self._servers: dict[str, _SiteHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self.requests = RequestLog()

    @property
    def names(self) -> list[str]:
        return list(self._sites)

    def start(self) -> SiteServer:
        if self._servers:
            return self
        try:
            for name, site in self._sites.items():
                server = _SiteHTTPServer(site, self)
                self._servers[name] = server
                self._bases[name] = f"http://{HOST}:{server.server_address[1]}"
        except OSError:
            self.stop()
            raise
        for name, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sitesrv-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def base_url(self, name: str) -> str:
        """`http://127.0.0.1:PORT` of a started site (no trailing slash)."""
        if name not in self._sites:
            raise KeyError(f"no site {name!r} (serving {', '.join(self._sites)})")
        if name not in self._bases:
            raise RuntimeError("SiteServer.start() has not been called")
        return self._bases[name]

    def url(self, name: str, path: str = "/") -> str:
        return self.base_url(name) + path

    @property
    def base_urls(self) -> dict[str, str]:
        return dict(self._bases)

    def stop(self) -> None:
        for server in self._servers.values():
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        self._bases.clear()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _note(self, line: str) -> None:
        if self._log is not None:
            with self._log_lock:
                print(line, file=self._log, flush=True)


# --- bundled sites ---------------------------------------------------------------------------


def sites_in(directory: Path) -> dict[str, Path]:
    """Every site directory under `directory` (subdirectories not starting with `_` or `.`)."""
    return {
        child.name: child
        for child in sorted(directory.iterdir())
        if child.is_dir() and not child.name.startswith(("_", "."))
    }


def bundled_sites_dir() -> Path:
    """The sample sites shipped with the package (`egovcrawl/samples/sites`)."""
    return Path(str(resources.files("egovcrawl") / "samples" / "sites"))


def bundled_sites() -> dict[str, Path]:
    return sites_in(bundled_sites_dir())


def main(argv: list[str] | None = None) -> int:
    """`python -m egovcrawl.sitesrv [DIR]`: serve sites for a look in a browser (Ctrl-C stops)."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else bundled_sites_dir()
    try:
        server = SiteServer(sites_in(directory), log=sys.stderr).start()
    except (OSError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for name, base in server.base_urls.items():
        print(f"{name:<20} {base}/")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
