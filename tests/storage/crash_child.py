"""Child process for test_crash.py: ingests N synthetic fetches into an archive.

    python crash_child.py DB N [--pause-after-fetch BATCH] [--ingestor]

With --pause-after-fetch, after the raw fetches of batch BATCH are committed (and before they
are filed) it prints PAUSED and sleeps, so the parent can SIGKILL it exactly between fetch and
store. Otherwise it prints a line per committed batch and the parent kills it at a random point.
--ingestor files through `Ingestor.feed` (each batch filed during the next one, its commit in a
background thread) instead of `ingest_batch`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from egovcrawl.extract.model import Page
from egovcrawl.storage import Archive, FetchRecord
from egovcrawl.storage.ingest import Ingestor, ingest_batch, process_pending

BATCH = 20
WORDS = [
    "portal", "service", "reform", "city", "council", "digital", "governance", "citizens",
    "online", "office", "application", "permit", "budget", "transport", "school", "health",
    "hospital", "housing", "water", "energy",
]


def text_for(i: int) -> str:
    # distinct texts: words chosen by the digits of i, long enough to be fingerprinted
    parts = [WORDS[(i * 7 + k * 13 + (i // (k + 1))) % len(WORDS)] for k in range(60)]
    return f"Article {i}. " + " ".join(parts) + f" Reference number {i * 7919}."


def records(n: int) -> list[FetchRecord]:
    return [FetchRecord(url=f"https://crash.example/news/{i}.html", site="crash",
                        body=(f"<html><h1>Title {i}</h1><p>{text_for(i)}</p></html>"
                              * 20).encode(),
                        fetched_at="2024-07-03T10:00:00+00:00") for i in range(n)]


def extractor(rec: FetchRecord) -> Page:
    i = int(rec.url.rsplit("/", 1)[1].split(".")[0])
    return Page(url=rec.url, encoding="utf-8", page_kind="article", title=f"Title {i}",
                text=text_for(i), views=i)


def main() -> None:
    db, n = sys.argv[1], int(sys.argv[2])
    flags = sys.argv[3:]
    pause_at = int(flags[flags.index("--pause-after-fetch") + 1]) \
        if "--pause-after-fetch" in flags else -1
    pipelined = "--ingestor" in flags
    archive = Archive.open(db)
    process_pending(archive, extractor)  # finish what a killed run left
    done = {r[0] for r in archive.conn.execute("SELECT url FROM article_urls")}
    todo = [r for r in records(n) if r.url not in done]
    batch_no = [0]

    def fetched(_ids: list[int]) -> None:
        if batch_no[0] == pause_at:
            print("PAUSED", flush=True)
            time.sleep(60)

    ingestor = Ingestor(archive, extractor, on_fetched=fetched)
    for b, start in enumerate(range(0, len(todo), BATCH)):
        batch = todo[start : start + BATCH]
        batch_no[0] = b
        if pipelined:  # the batch before this one is filed, committing in the background
            ingestor.feed(batch)
        else:
            ingest_batch(archive, batch, extractor, on_fetched=fetched)
        print(f"batch {b}", flush=True)
    ingestor.finish()
    archive.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
