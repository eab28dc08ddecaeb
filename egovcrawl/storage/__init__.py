"""The SQLite archive: schema and migrations, deduplication, history, re-extraction.

`Archive` (archive.py) is the only code in egovcrawl that writes SQL; `ingest` turns fetched
pages into archived articles; `FetchRecord` is the item the spider yields. docs/schema.md
documents the tables for analysts.
"""

from egovcrawl.storage.archive import Archive, ArchiveError, SearchHit
from egovcrawl.storage.records import FetchRecord, KnownUrl, StoreResult

__all__ = ["Archive", "ArchiveError", "FetchRecord", "KnownUrl", "SearchHit", "StoreResult"]
