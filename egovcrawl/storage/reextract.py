"""Re-run the current extractor over stored bodies: better extraction without re-crawling.

No network: every body comes from the `bodies` table. For each archived article the fetch it
was built from is extracted again and filed with `cause='reextract'`: a changed title or text
becomes a version (`article_versions`), any other changed field a row in `article_changes`, both
pointing at the `reextract_runs` row. Pages that gave no article before (listings, extractor
errors, pending fetches) are tried again too, so an extractor fix can add articles.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from egovcrawl.storage.archive import Archive
from egovcrawl.storage.ingest import Extractor, default_extractor, file_page, stored_batches
from egovcrawl.storage.records import utcnow


@dataclass
class ReextractReport:
    run_id: int
    site: str | None
    fetches: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return self.outcomes.get("updated", 0)

    def as_dict(self) -> dict[str, object]:
        return {"run_id": self.run_id, "site": self.site, "fetches": self.fetches,
                "changed": self.changed, "outcomes": dict(sorted(self.outcomes.items()))}


def reextract(archive: Archive, *, site: str | None = None,
              extractor: Extractor | None = None, batch_size: int = 200) -> ReextractReport:
    """Re-extract the stored bodies of one site (or all) and record what changed."""
    extractor = extractor or default_extractor()
    run_id = archive.start_reextract(site)
    report = ReextractReport(run_id, site)
    status = "failed"
    try:
        ids = archive.reextract_fetch_ids(site)
        for batch in stored_batches(archive, ids, extractor, batch_size):
            with archive.transaction():
                for rec, fid, (page, outcome, error) in batch:
                    if page is None and outcome == "error":
                        # keep the fetch's first outcome; only count the failure
                        report.outcomes["error"] += 1
                        continue
                    result = file_page(archive, rec, fid, page, outcome, error,
                                       cause="reextract", reextract_id=run_id)
                    report.outcomes[result.outcome] += 1
            report.fetches += len(batch)
        status = "finished"
    finally:
        archive.finish_reextract(run_id, status, json.dumps(report.as_dict()), utcnow())
    return report
