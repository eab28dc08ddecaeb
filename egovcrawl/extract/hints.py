"""Per-site hints a site profile can pass to extraction.

The generic rules must work without any hints; hints only settle what a page cannot tell by
itself (is `03/07/2024` 3 July or 7 March?) or pin a field to a selector on a site whose layout
defeats the generic rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

DateOrder = Literal["DMY", "MDY", "YMD"]

#: Fields a selector may override. The selected element's text is parsed by that field's parser.
SELECTOR_FIELDS = frozenset(
    {"title", "text", "published", "updated", "views", "site_counter", "copyright", "source"}
)


@dataclass(frozen=True, slots=True)
class SiteHints:
    date_order: DateOrder | None = None
    language: str | None = None  # ISO 639-1; used when the page's own signals are weak
    timezone: str | None = None  # IANA name, attached to naive datetimes the page prints
    # field -> CSS selector, or XPath when it starts with "/" or "(" (e.g. "//div[@id='info']")
    selectors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.date_order is not None and self.date_order not in ("DMY", "MDY", "YMD"):
            raise ValueError(f"date_order must be DMY, MDY or YMD, not {self.date_order!r}")
        unknown = set(self.selectors) - SELECTOR_FIELDS
        if unknown:
            raise ValueError(
                f"selectors for unknown fields: {', '.join(sorted(unknown))} "
                f"(known: {', '.join(sorted(SELECTOR_FIELDS))})"
            )
        object.__setattr__(self, "selectors", MappingProxyType(dict(self.selectors)))

    def __reduce__(self) -> tuple[type[SiteHints], tuple[object, ...]]:
        # picklable for the extraction worker process (a mappingproxy is not)
        return (SiteHints, (self.date_order, self.language, self.timezone, dict(self.selectors)))


DEFAULT_HINTS = SiteHints()
