"""Site profiles: the declarative description of how one site is crawled (a TOML file).

One generic spider is driven by these records instead of one spider per site. The key names are
a contract users' files rely on; `sites.example.toml` documents each of them. Everything is
validated when the file is loaded, so a typo fails with one line naming file, site and key before
any request is made, never half-way through a nightly crawl.

Pure: stdlib (tomllib, re, zoneinfo) plus lxml/cssselect to check selector syntax; no Scrapy.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from egovcrawl.extract.hints import SELECTOR_FIELDS, SiteHints

DEFAULT_SITES_PATH = "data/sites.toml"
EXAMPLE_SITES_FILE = "sites.example.toml"

NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
DATE_ORDERS = ("DMY", "MDY", "YMD")
DEFAULT_PORTS = {"http": 80, "https": 443}

#: Keys that name one site's own URLs: they make no sense in the shared [defaults] table.
SITE_ONLY_KEYS = frozenset({"start_urls", "sitemaps", "feeds", "allowed_domains"})

UrlKind = Literal["article", "listing"]


class ProfileError(ValueError):
    """A site file or profile is invalid. `str()` is one line naming file, site and key."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None,
                 site: str | None = None, key: str | None = None) -> None:
        self.message = " ".join(message.split())  # one line, whatever the cause said
        self.path = None if path is None else os.fspath(path)
        self.site = site
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(self.path)
        if self.site is not None:
            parts.append(f"site {self.site!r}")
        if self.key is not None:
            parts.append(f"key {self.key!r}")
        parts.append(self.message)
        return ": ".join(parts)

    def located(self, path: str | os.PathLike[str]) -> ProfileError:
        """The same error, naming the file it came from."""
        return ProfileError(self.message, path=path, site=self.site, key=self.key)


class _Invalid(ValueError):
    """A value is wrong; the caller knows which site and key it belongs to."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key  # a more precise key than the caller's, e.g. 'selectors.title'


# --- value checks: each takes the raw TOML value (or an already normal one) ------------------

def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as TOML spells it
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"a {type(value).__name__}"


def _got(value: Any) -> str:
    if isinstance(value, list | tuple | Mapping):
        return _kind(value)
    return f"{_kind(value)} {_show(value)}"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _strings(value: Any, what: str) -> tuple[str, ...]:
    """A string or a list of strings (a single string is the one-element list users mean)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _Invalid(f"must be a list of {what} (got {_got(value)})")
    for item in value:
        if not isinstance(item, str):
            raise _Invalid(f"must be a list of {what} (got {_got(item)} in the list)")
    return tuple(value)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _url(value: str) -> str:
    url = value.strip()
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise _Invalid(f"must be absolute http(s) URLs without spaces (got {_show(value)})")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise _Invalid(f"bad URL {_show(value)}: {exc}") from None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise _Invalid(f"must be absolute http(s) URLs like 'https://www.example.gov.cn/' "
                       f"(got {_show(value)})")
    return url


def _urls(value: Any) -> tuple[str, ...]:
    return _unique(_url(item) for item in _strings(value, "URLs"))


def _host(host: str) -> str:
    """Lower-case ASCII form of a host, so 'Bundesregierung.DE' and IDN spellings compare."""
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _host_port(netloc: str) -> tuple[str, int | None]:
    parts = urlsplit("//" + netloc)
    if not parts.hostname:
        raise ValueError("no host")
    return _host(parts.hostname), parts.port


def _domain(value: str) -> str:
    entry = value.strip().lstrip(".")
    if not entry or "/" in entry or "@" in entry or any(c.isspace() for c in entry):
        hint = ""
        if "://" in entry:
            netloc = urlsplit(entry).netloc
            hint = f"; write {netloc!r}" if netloc else ""
        raise _Invalid(f"must be host names like 'example.gov.cn' or '127.0.0.1:8080', "
                       f"without scheme or path (got {_show(value)}{hint})")
    try:
        host, port = _host_port(entry)
    except ValueError as exc:
        raise _Invalid(f"bad host {_show(value)}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"


def _domains(value: Any) -> tuple[str, ...]:
    return _unique(_domain(item) for item in _strings(value, "host names"))


def _patterns(value: Any) -> tuple[re.Pattern[str], ...]:
    if isinstance(value, re.Pattern):
        value = [value]
    if isinstance(value, list | tuple) and all(isinstance(p, re.Pattern) for p in value):
        return tuple(value)
    compiled = []
    for source in _strings(value, "regular expressions"):
        try:
            compiled.append(re.compile(source))
        except re.error as exc:
            raise _Invalid(f"bad regular expression {_show(source)}: {exc}") from None
    return tuple(compiled)


def _check_selector(selector: str) -> None:
    from cssselect import HTMLTranslator, SelectorError
    from lxml import etree

    try:
        if selector.lstrip().startswith(("/", "(")):
            etree.XPath(selector)
        else:
            HTMLTranslator().css_to_xpath(selector)
    except (etree.XPathError, SelectorError, SyntaxError, ValueError) as exc:
        kind = "XPath" if selector.lstrip().startswith(("/", "(")) else "CSS selector"
        raise _Invalid(f"bad {kind} {_show(selector)}: {exc}") from None


def _selectors(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise _Invalid(f"must be a table of field = \"CSS or XPath\" (got {_got(value)})")
    fields = ", ".join(sorted(SELECTOR_FIELDS))
    for name, selector in value.items():
        key = f"selectors.{name}"
        if name not in SELECTOR_FIELDS:
            raise _Invalid(f"unknown field{_suggest(name, SELECTOR_FIELDS)}; fields: {fields}",
                           key)
        if not isinstance(selector, str) or not selector.strip():
            raise _Invalid(f"must be a CSS selector or XPath string (got {_got(selector)})", key)
        try:
            _check_selector(selector)
        except _Invalid as exc:
            raise _Invalid(exc.message, key) from None
    return MappingProxyType(dict(value))


def _date_order(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().upper() in DATE_ORDERS:
        return value.strip().upper()
    return _fail(f"must be one of {', '.join(DATE_ORDERS)} (got {_show(value)})")


def _language(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().lower()
    return _fail(f"must be a two-letter ISO 639-1 code like 'zh', 'de' or 'en' "
                 f"(got {_show(value)})")


def _timezone(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return _fail(f"must be an IANA time zone name like 'Asia/Shanghai' (got {_got(value)})")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones

        return _fail(f"unknown IANA time zone {_show(value)}"
                     f"{_suggest(value, available_timezones())}")
    return value


def _fail(message: str) -> Any:
    raise _Invalid(message)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _fail(f"must be true or false (got {_got(value)})")


def _int(minimum: int, optional: bool = False) -> Callable[[Any], int | None]:
    def check(value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return _fail(f"must be a whole number >= {minimum} (got {_got(value)})")
        if value < minimum:
            return _fail(f"must be >= {minimum} (got {value})")
        return value

    return check


def _number(optional: bool = False) -> Callable[[Any], float | None]:
    def check(value: Any) -> float | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _fail(f"must be a number >= 0 (got {_got(value)})")
        if not 0 <= value < float("inf"):
            return _fail(f"must be a number >= 0 (got {value})")
        return float(value)

    return check


# --- the profile -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteProfile:
    """How one site is crawled. Build it with `load_profiles` or directly; both validate.

    `allowed_domains` left empty means the hosts (with any explicit port) of `start_urls`,
    `sitemaps` and `feeds`; a host covers its subdomains. Regexes are searched in the full URL.
    """

    name: str
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    article_allow: tuple[re.Pattern[str], ...] = ()
    listing_allow: tuple[re.Pattern[str], ...] = ()
    selectors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    date_order: Literal["DMY", "MDY", "YMD"] | None = None
    language: str | None = None
    timezone: str | None = None
    max_pages: int = 10_000
    max_depth: int = 5
    download_delay: float | None = None
    refresh_days: float = 7.0
    enabled: bool = True
    discover_sitemaps: bool = True
    sitemap_lastmod_days: int | None = None
    stop_after_known_pages: int = 1
    follow_links: bool = True
    max_calendar_pages: int = 24
    obey_robots: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not NAME_RE.fullmatch(self.name):
            raise ProfileError(f"bad site name (use letters, digits, '_', '.', '-'; "
                               f"got {_show(self.name)})", site=str(self.name))
        for key, check in _CHECKS.items():
            try:
                value = check(getattr(self, key))
            except _Invalid as exc:
                raise ProfileError(exc.message, site=self.name, key=exc.key or key) from None
            object.__setattr__(self, key, value)
        if not (self.start_urls or self.sitemaps or self.feeds):
            raise ProfileError("required (a list of URLs), unless sitemaps or feeds are given",
                               site=self.name, key="start_urls")
        if not self.allowed_domains:
            derived = (_domain(urlsplit(url).netloc.rpartition("@")[2])
                       for url in (*self.start_urls, *self.sitemaps, *self.feeds))
            object.__setattr__(self, "allowed_domains", _unique(derived))
        else:
            for url in self.start_urls:
                if not self._in_domains(url):
                    host = urlsplit(url).netloc.rpartition("@")[2]
                    raise ProfileError(f"{url!r} is outside allowed_domains (add {host!r})",
                                       site=self.name, key="start_urls")

    def __hash__(self) -> int:
        return hash((self.name, self.profile_hash))

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (worker processes, job dirs) although selectors is a read-only mapping."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["selectors"] = dict(self.selectors)
        return (_restore, (values,))

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> SiteProfile:
        """A profile from one `[sites.NAME]` table; unknown keys are errors."""
        for key in data:
            if key not in PROFILE_KEYS:
                raise ProfileError(f"unknown key{_suggest(key, PROFILE_KEYS)}", site=name,
                                   key=key)
        return cls(name, **data)

    # --- what the spider asks ----------------------------------------------------------------

    def hints(self) -> SiteHints | None:
        """Extraction hints from date_order/language/timezone/selectors; None if none is set."""
        return self._hints

    @cached_property
    def _hints(self) -> SiteHints | None:
        if not (self.date_order or self.language or self.timezone or self.selectors):
            return None
        return SiteHints(date_order=self.date_order, language=self.language,
                         timezone=self.timezone, selectors=self.selectors)

    def in_scope(self, url: str) -> bool:
        """May the crawl follow `url`? http(s), an allowed host (or subdomain; an entry with a
        port needs that port), matching one `allow` regex if any is given, and no `deny` one."""
        if not self._in_domains(url):
            return False
        if self.allow and not any(p.search(url) for p in self.allow):
            return False
        return not any(p.search(url) for p in self.deny)

    def url_kind(self, url: str) -> UrlKind | None:
        """'article' or 'listing' when the profile's regexes say so (article_allow is tried
        first), else None: the extractor's page_kind decides."""
        if any(p.search(url) for p in self.article_allow):
            return "article"
        if any(p.search(url) for p in self.listing_allow):
            return "listing"
        return None

    def _in_domains(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme not in DEFAULT_PORTS or not parts.hostname:
                return False
            host = _host(parts.hostname)
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            return False
        for domain, domain_port in self._scope:
            if domain_port is not None and domain_port != port:
                continue
            if host == domain or host.endswith("." + domain):
                return True
        return False

    @cached_property
    def _scope(self) -> tuple[tuple[str, int | None], ...]:
        return tuple(_host_port(entry) for entry in self.allowed_domains)

    # --- identity ----------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Every key with its (normalised) value, JSON-ready: regexes as their source text."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [v.pattern if isinstance(v, re.Pattern) else v for v in value]
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @cached_property
    def profile_hash(self) -> str:
        """sha256 of the normalised profile, for the archive's sites table.

        Only values that differ from their defaults count, so spelling a default out, reordering
        keys, or a new egovcrawl version adding a key with a default leaves the hash unchanged;
        `enabled` is left out (switching a site off and on does not change how it is crawled).
        """
        data = self.as_dict()
        derived = _unique(_domain(urlsplit(url).netloc.rpartition("@")[2])
                          for url in (*self.start_urls, *self.sitemaps, *self.feeds))
        defaults = {**_DEFAULTS, "allowed_domains": list(derived), "enabled": data["enabled"]}
        kept = {k: v for k, v in data.items() if k == "name" or v != defaults[k]}
        text = json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _restore(values: dict[str, Any]) -> SiteProfile:
    return SiteProfile(**values)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "start_urls": _urls,
    "sitemaps": _urls,
    "feeds": _urls,
    "allowed_domains": _domains,
    "allow": _patterns,
    "deny": _patterns,
    "article_allow": _patterns,
    "listing_allow": _patterns,
    "selectors": _selectors,
    "date_order": _date_order,
    "language": _language,
    "timezone": _timezone,
    "max_pages": _int(1),
    "max_depth": _int(0),
    "download_delay": _number(optional=True),
    "refresh_days": _number(),
    "enabled": _bool,
    "discover_sitemaps": _bool,
    "sitemap_lastmod_days": _int(1, optional=True),
    "stop_after_known_pages": _int(0),
    "follow_links": _bool,
    "max_calendar_pages": _int(0),
    "obey_robots": _bool,
}

#: The keys of a `[sites.NAME]` table, in the order sites.example.toml documents them.
PROFILE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SiteProfile))[1:]


def _default_values() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(SiteProfile):
        if f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else (
            dict(value) if isinstance(value, Mapping) else value)
    return out


_DEFAULTS = _default_values()


# --- the file ----------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
#: Placeholder names: environment-style names and site names (`${egov-research}` in the demo).
_VAR_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _expand(value: Any, variables: Mapping[str, str], key: str) -> Any:
    """`${NAME}` placeholders in strings (nested in lists/tables) from `variables`; `$${` is a
    literal `${`."""
    if isinstance(value, str):
        def sub(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            name = match.group(1)
            if not match.group(0).endswith("}") or not _VAR_NAME_RE.fullmatch(name):
                raise _Invalid(f"bad placeholder {match.group(0)!r} (write ${{NAME}})", key)
            if name not in variables:
                known = ", ".join(sorted(variables)) or "none given"
                raise _Invalid(f"unknown placeholder ${{{name}}} (variables: {known})", key)
            return str(variables[name])

        return _PLACEHOLDER_RE.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, variables, key) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, variables, f"{key}.{k}") for k, v in value.items()}
    return value


def _read(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ProfileError(f"no such file (to start one: cp {EXAMPLE_SITES_FILE} {os.fspath(path)}"
                           f", then edit it)", path=path) from None
    except OSError as exc:
        raise ProfileError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")  # Notepad's BOM is harmless
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ProfileError(f"line {line}: not UTF-8 text (TOML files must be saved as UTF-8)",
                           path=path) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if where:
            message = (f"line {where.group(1)}, column {where.group(2)}: invalid TOML: "
                       f"{message[:where.start()]}")
        elif message.endswith("(at end of document)"):
            last = text.rstrip("\n").count("\n") + 1
            message = (f"line {last} (end of file): invalid TOML: "
                       f"{message.removesuffix('(at end of document)').strip()}")
        else:
            message = f"invalid TOML: {message}"
        raise ProfileError(message, path=path) from None


class Profiles(dict[str, SiteProfile]):
    """The profiles of one file by name, in file order; remembers the file for error lines."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.path = None if path is None else os.fspath(path)


def load_profiles(path: str | os.PathLike[str] = DEFAULT_SITES_PATH, *,
                  variables: Mapping[str, str] | None = None) -> Profiles:
    """Every `[sites.NAME]` profile of a TOML file, validated, in file order.

    An optional `[defaults]` table gives values for keys a site does not set (not the URL keys;
    `selectors` tables are merged). String values may hold `${NAME}` placeholders filled from
    `variables`. Any problem raises ProfileError naming the file, site and key.
    """
    data = _read(path)
    variables = dict(variables or {})
    for key in data:
        if key not in ("sites", "defaults"):
            hint = _suggest(key, ("sites", "defaults")) or (
                f" (a site is a [sites.{key}] table)" if isinstance(data[key], dict) else "")
            raise ProfileError(f"unknown top-level key {key!r}{hint}", path=path)
    defaults = _load_defaults(data.get("defaults", {}), variables, path)
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        found = "" if sites is None or isinstance(sites, dict) else f" ('sites' is {_kind(sites)})"
        raise ProfileError(f"no sites defined{found}: add a [sites.NAME] table per site "
                           f"(see {EXAMPLE_SITES_FILE})", path=path)
    profiles = Profiles(path)
    for name, table in sites.items():
        if not isinstance(table, dict):
            raise ProfileError(f"must be a [sites.{name}] table (got {_got(table)})",
                               path=path, site=name)
        try:
            expanded = {key: _expand(value, variables, key) for key, value in table.items()}
        except _Invalid as exc:
            raise ProfileError(exc.message, path=path, site=name, key=exc.key) from None
        merged = {**defaults, **expanded}
        if isinstance(defaults.get("selectors"), dict) and isinstance(
                expanded.get("selectors"), dict):
            merged["selectors"] = {**defaults["selectors"], **expanded["selectors"]}
        try:
            profiles[name] = SiteProfile.from_mapping(name, merged)
        except ProfileError as exc:
            raise exc.located(path) from None
    return profiles


def _load_defaults(table: Any, variables: Mapping[str, str],
                   path: str | os.PathLike[str]) -> dict[str, Any]:
    """The [defaults] table, each value checked on its own so an error names 'defaults.KEY'."""
    if not isinstance(table, dict):
        raise ProfileError(f"must be a [defaults] table (got {_got(table)})", path=path,
                           key="defaults")
    for key, value in table.items():
        label = f"defaults.{key}"
        if key in SITE_ONLY_KEYS:
            raise ProfileError("cannot be a default: it names one site's own URLs", path=path,
                               key=label)
        if key not in _CHECKS:
            choices = [k for k in PROFILE_KEYS if k not in SITE_ONLY_KEYS]
            raise ProfileError(f"unknown key{_suggest(key, choices)}", path=path, key=label)
        try:
            _CHECKS[key](_expand(value, variables, label))
        except _Invalid as exc:
            sub = exc.key if exc.key and exc.key.startswith("defaults.") else (
                f"defaults.{exc.key}" if exc.key else label)
            raise ProfileError(exc.message, path=path, key=sub) from None
    return {key: _expand(value, variables, key) for key, value in table.items()}


def select_profiles(profiles: Mapping[str, SiteProfile], names: Sequence[str], *,
                    all_: bool = False) -> list[SiteProfile]:
    """The profiles a command should run: the named ones (in the order given), or with `all_`
    every enabled one (in file order).

    An explicit name runs its site even when `enabled = false`: naming it is a deliberate
    request (e.g. to test a site before switching it on); `--all`, what cron runs, skips it.
    Errors name the file when `profiles` came from `load_profiles`.
    """
    path = getattr(profiles, "path", None)
    if all_ and names:
        raise ProfileError("give site names or --all, not both", path=path)
    if all_:
        chosen = [p for p in profiles.values() if p.enabled]
        if not chosen:
            raise ProfileError("no enabled sites (every site has enabled = false)", path=path)
        return chosen
    known = ", ".join(profiles) or "none"
    if not names:
        raise ProfileError(f"no site given: name one or more sites, or use --all "
                           f"(known: {known})", path=path)
    chosen = []
    for name in dict.fromkeys(names):
        if name not in profiles:
            raise ProfileError(f"unknown site {name!r}{_suggest(name, profiles)} "
                               f"(known: {known})", path=path)
        chosen.append(profiles[name])
    return chosen
