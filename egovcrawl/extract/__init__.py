"""Extraction: from a page's bytes to typed article fields, with no Scrapy in sight.

One module per field (`dates.py`, `views.py`, `copyright.py`, ...): each offers
`extract_<field>(doc, ...)` that searches a parsed `Document`, and `parse_<field>(text)` that reads
one string (used when a site profile pins the field to a selector). Each returns None rather than
guess.
"""

from egovcrawl.extract.hints import SiteHints
from egovcrawl.extract.model import (
    Copyright,
    DateInfo,
    ExtractionError,
    Link,
    Page,
    SiteCounter,
    Source,
)

__all__ = [
    "Copyright",
    "DateInfo",
    "ExtractionError",
    "Link",
    "Page",
    "SiteCounter",
    "SiteHints",
    "Source",
    "extract_page",
]


def __getattr__(name: str):
    """Import the orchestrator lazily: importing one field module should not import them all."""
    if name == "extract_page":
        from egovcrawl.extract.page import extract_page

        return extract_page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
