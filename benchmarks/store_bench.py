"""Archive benchmark: ingest rate with the CJK-capable full-text index on, near-duplicate linking
time and how it grows, archive size against raw HTML, full-text query latency.

Synthetic e-government articles (English, German, Chinese; 5 % re-published on another site with
a changed sentence and another footer) are filed through the real path: `Ingestor` (what
`ingest()` and the Scrapy pipeline use: raw fetches committed first, then filing, each batch's
commit overlapping the next batch's extraction) with a stand-in extractor that returns prebuilt
`Page`s, so extraction time (see extract_bench.py) is not counted. Near-duplicate linking time
is the time spent in fingerprinting and the LSH probe/insert calls; with the pipelining those
share the CPUs with the background commit, so it is an upper bound on their own cost.
Anchors run in the same process on the same texts: sqlite-utils `insert_all` with an FTS5
unicode61 index and with the trigram tokenizer (triggers), the two figures docs/notes quote.

    python benchmarks/store_bench.py            # ingest 10k+100k, linking 10k/100k/1M (~25 min)
    python benchmarks/store_bench.py --quick    # ingest 2k+10k, linking 10k/50k (~2 min)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from egovcrawl.extract.model import Copyright, DateInfo, Page
from egovcrawl.storage import (
    Archive,
    FetchRecord,
    dedup,
    fts,
)
from egovcrawl.storage import archive as archive_mod
from egovcrawl.storage.ingest import Ingestor

BATCH = 500
DUP_SHARE = 0.05
ZH_CHARS = ("政府务服数据管理局发布通知全面推进一网通办改革提升效能城市治理字建设平台市民企业"
            "办事指南工作会议部门省区县乡镇经济社会发展规划项目资金安全环境保护教育卫生健康文化"
            "交通运输农业农村科技创新信息化网络公开透明监督评估标准规范制度法律法规政策解读新闻")


class Corpus:
    """Deterministic synthetic articles and their HTML pages."""

    def __init__(self, seed: int = 7) -> None:
        rnd = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.en = ["".join(rnd.choice(letters) for _ in range(rnd.randint(2, 10)))
                   for _ in range(30_000)]
        self.de = [w.capitalize() + rnd.choice(["ung", "heit", "ö", "ä", "ü", "en", ""])
                   for w in self.en[:20_000]]
        self.zh = ["".join(rnd.choice(ZH_CHARS) for _ in range(rnd.choice([1, 2, 2, 2, 3, 4])))
                   for _ in range(20_000)]
        self.rnd = rnd
        self.republished = 0
        nav = "".join(f'<li><a href="/section/{i}.html">Section {i} menu</a></li>'
                      for i in range(60))
        side = "".join(f'<li><a href="/news/{i}.html">Latest news item number {i} title</a>'
                       f'<span>2024-0{i % 9 + 1}-1{i % 9}</span></li>' for i in range(40))
        script = ("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push"
                  "(arguments)}gtag('js',new Date());</script>" * 20)
        self.head = (f"<html><head><meta charset='utf-8'><style>{'.a{color:red} ' * 300}</style>"
                     f"{script}</head><body><nav><ul>{nav}</ul></nav>")
        # per-page variable boilerplate (inline JSON, menus) so pages span ~20-80 KB
        self.pad = "".join(f'<div class="m{i}"><a href="/topic/{i}?ref=menu">Topic {i} '
                           f'{rnd.choice(self.en)} {rnd.choice(self.en)}</a></div>'
                           for i in range(700))
        self.tail = (f"<aside><ul>{side}</ul></aside><footer>© 2024 Example Government Portal."
                     " All rights reserved. 京ICP备12345678号</footer></body></html>")

    def sentence(self, lang: str) -> str:
        r = self.rnd
        if lang == "zh":
            return "".join(r.choice(self.zh) for _ in range(r.randint(8, 20))) + "。"
        words = self.en if lang == "en" else self.de
        return " ".join(r.choice(words) for _ in range(r.randint(8, 22))).capitalize() + "."

    def article_text(self, lang: str, sentences: int) -> list[str]:
        return [self.sentence(lang) for _ in range(sentences)]

    def stream(self, n: int, *, sentences: tuple[int, int] = (10, 40), html: bool = True,
               start: str = "2024-01-01T00:00:00+00:00") -> Iterator[tuple[FetchRecord, Page]]:
        """n (fetch, page) pairs; DUP_SHARE of them re-publish an earlier article elsewhere."""
        r = self.rnd
        recent: list[tuple[str, list[str], str]] = []
        for i in range(n):
            if recent and r.random() < DUP_SHARE:
                title, sents, lang = r.choice(recent)
                sents = list(sents)
                sents[r.randrange(len(sents))] = self.sentence(lang)
                sents.append(self.sentence(lang))  # another footer line
                site = f"mirror{i % 7}"
                self.republished += 1
            else:
                lang = ("en", "de", "zh")[i % 3]
                sents = self.article_text(lang, r.randint(*sentences))
                title = self.sentence(lang)[:60]
                site = f"site{i % 50}"
                if len(recent) < 2000:
                    recent.append((title, sents, lang))
                else:
                    recent[r.randrange(2000)] = (title, sents, lang)
            sep = "" if lang == "zh" else " "
            paragraphs = [sep.join(sents[j : j + 4]) for j in range(0, len(sents), 4)]
            text = "\n\n".join(paragraphs)
            url = f"https://www.{site}.gov.example/news/2024/{i}.html"
            if html:
                body = (self.head + self.pad[: r.randint(0, len(self.pad))]
                        + f"<main><h1>{title}</h1>"
                        + "".join(f"<p>{p}</p>" for p in paragraphs) + "</main>"
                        + self.tail).encode("utf-8")
            else:
                body = text.encode("utf-8")[:200]
            page = Page(url=url, encoding="utf-8", page_kind="article", title=title, text=text,
                        published=DateInfo(dt.date(2024, 1 + i % 12, 1 + i % 28), "meta",
                                           "2024"),
                        views=r.randint(0, 5000), language=lang,
                        copyright=Copyright(holder=f"Site {site}", year=2024, text="© 2024"))
            yield FetchRecord(url=url, body=body, status=200, site=site, fetched_at=start,
                              headers={"content-type": "text/html; charset=utf-8"}), page


class Timer:
    """Accumulates the time spent in wrapped functions (the near-duplicate linking steps)."""

    def __init__(self) -> None:
        self.total = 0.0

    def wrap(self, func):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t0
        return timed


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def run_ingest(n: int, workdir: Path, *, html: bool = True, sentences=(10, 40)) -> dict:
    """File n articles through ingest_batch; returns rates, sizes and the linking share."""
    path = workdir / f"ingest-{n}-{int(html)}.db"
    corpus = Corpus()
    archive = Archive.open(path)
    signing, linking = Timer(), Timer()
    orig_fp, orig_near, orig_bands = (dedup.fingerprints, archive._near_duplicate,
                                      archive._add_bands)
    archive_mod.dedup.fingerprints = signing.wrap(orig_fp)  # type: ignore[attr-defined]
    archive._near_duplicate = linking.wrap(orig_near)  # type: ignore[method-assign]
    archive._add_bands = linking.wrap(orig_bands)  # type: ignore[method-assign]
    raw = 0
    outcomes: dict[str, int] = {}
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    gen_time = gen_cpu = 0.0
    stream = corpus.stream(n, html=html, sentences=sentences)
    pages_by_url: dict[str, Page] = {}
    ingestor = Ingestor(archive, lambda rec: pages_by_url.pop(rec.url))
    try:
        while True:
            g0, c0 = time.perf_counter(), time.process_time()
            batch = [pair for _, pair in zip(range(BATCH), stream, strict=False)]
            gen_time += time.perf_counter() - g0
            gen_cpu += time.process_time() - c0
            if not batch:
                break
            pages = {rec.url: page for rec, page in batch}
            raw += sum(len(rec.body) for rec, _ in batch)
            pages_by_url.update(pages)
            for res in ingestor.feed([rec for rec, _ in batch]):
                outcomes[res.outcome] = outcomes.get(res.outcome, 0) + 1
        for res in ingestor.finish():
            outcomes[res.outcome] = outcomes.get(res.outcome, 0) + 1
    finally:
        archive_mod.dedup.fingerprints = orig_fp  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - t0 - gen_time
    cpu = time.process_time() - cpu0 - gen_cpu
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db_bytes(path)
    dup_linked = archive.conn.execute(
        "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
    archive.close()
    return {"n": n, "seconds": round(elapsed, 2), "articles_per_s": round(n / elapsed),
            "cpu_us_per_article": round(cpu / n * 1e6),
            "linking_seconds": round(linking.total + signing.total, 2),
            "linking_us_per_article": round((linking.total + signing.total) / n * 1e6),
            "signature_seconds": round(signing.total, 2),
            "lsh_seconds": round(linking.total, 2),
            "raw_html_bytes": raw, "db_bytes": size, "db_to_raw": round(size / raw, 3),
            "outcomes": outcomes, "near_dups_linked": dup_linked,
            "republished": corpus.republished, "path": str(path)}


def run_anchor(n: int, workdir: Path, tokenizer: str | None, tag: str = "") -> dict:
    """sqlite-utils insert_all (url, title, text) with an FTS5 index kept by triggers."""
    path = workdir / f"anchor-{tokenizer}-{n}{tag}.db"
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db["articles"].create({"id": int, "url": str, "title": str, "text": str}, pk="id")
    if tokenizer:
        db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize=tokenizer)
    rows = ({"url": rec.url, "title": p.title, "text": p.text}
            for rec, p in Corpus().stream(n, html=False))
    rows_list = list(rows)
    t0, cpu0 = time.perf_counter(), time.process_time()
    db["articles"].insert_all(rows_list, batch_size=BATCH)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    db.conn.close()
    return {"n": n, "tokenizer": tokenizer or "none", "rows_per_s": round(n / elapsed),
            "cpu_us_per_row": round(cpu / n * 1e6), "db_bytes": db_bytes(path)}


QUERIES: dict[str, list[str]] = {}


def run_fts_choice(n: int, workdir: Path) -> list[dict]:
    """The CJK full-text approaches side by side on the same Chinese articles: index rate, index
    size, and whether a two-character and a longer query find what `instr` finds."""
    texts = [(p.title, p.text) for _, p in Corpus(seed=11).stream(3 * n, html=False)
             if p.language == "zh"][:n]
    rnd = random.Random(5)
    two = [w for w in Corpus(seed=11).zh if len(w) == 2][:20]
    spans = []
    for _, t in texts[:20]:
        k = rnd.randrange(max(1, len(t) - 8))
        spans.append(t[k : k + 6])
    try:
        import jieba  # optional: measured only when installed

        jieba.setLogLevel(60)
        jieba.initialize()
        seg = lambda t: " ".join(jieba.cut(t or ""))  # noqa: E731
    except ImportError:
        seg = None
    approaches = [("unicode61, unsegmented", "unicode61", lambda t: t or "", None),
                  ("bigram + unicode61 (egovcrawl)", "unicode61", fts.index_text, fts.fts_query),
                  ("trigram", "trigram", lambda t: t or "", None)]
    if seg:
        approaches.append(("jieba + unicode61", "unicode61", seg,
                           lambda q: '"' + seg(q).replace('"', "") + '"'))
    out = []
    for name, tok, transform, query in approaches:
        path = workdir / f"fts-{tok}-{len(out)}.db"
        con = archive_mod.sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(f"CREATE VIRTUAL TABLE f USING fts5(title, text, content='', "
                    f"tokenize='{tok}')")
        t0 = time.perf_counter()
        for start in range(0, n, BATCH):
            con.execute("BEGIN")
            con.executemany("INSERT INTO f(rowid, title, text) VALUES (?, ?, ?)",
                            [(start + i, transform(a), transform(b))
                             for i, (a, b) in enumerate(texts[start : start + BATCH])])
            con.execute("COMMIT")
        rate = n / (time.perf_counter() - t0)
        recall = {}
        for label, qs in (("2-char", two), ("6-char", spans)):
            found = expected = 0
            for q in qs:
                truth = {i for i, (a, b) in enumerate(texts) if q in (a or "") or q in b}
                expr = query(q) if query else '"' + q.replace('"', "") + '"'
                try:
                    got = {r[0] for r in con.execute(
                        "SELECT rowid FROM f WHERE f MATCH ?", (expr,))}
                except archive_mod.sqlite3.OperationalError:
                    got = set()
                found += len(truth & got)
                expected += len(truth)
            recall[label] = round(found / expected, 3) if expected else None
        con.close()
        out.append({"approach": name, "rows_per_s": round(rate),
                    "index_mb": round(db_bytes(path) / 1e6, 1), "recall": recall})
    return out


def run_queries(path: str, corpus: Corpus) -> dict:
    archive = Archive.open(path)
    rnd = random.Random(3)
    qs = dict(QUERIES)
    zh_texts = [p.text for _, p in Corpus().stream(300) if p.language == "zh"]
    spans = []
    for t in zh_texts[:40]:
        k = rnd.randrange(len(t) - 12)
        spans.append(t[k : k + 12])
    qs["zh-2char"] = [w for w in corpus.zh[:200] if len(w) == 2][:5]
    qs["zh-4char"] = [s[:4] for s in spans if "。" not in s[:4]][:5]
    qs["zh-6char+"] = [s[:7] for s in spans if "。" not in s[:7]][:5]
    qs["en-rare"] = [rnd.choice(corpus.en[10_000:]) for _ in range(5)]
    qs["en-common"] = [rnd.choice(corpus.en[:50]) for _ in range(5)]
    en_texts = [p.text for _, p in Corpus().stream(300) if p.language == "en"]
    qs["en-phrase"] = ['"' + " ".join(t.split()[5:8]) + '"' for t in en_texts[:5]]
    qs["de-umlaut"] = [w for w in corpus.de[:4000] if "ö" in w][:5]
    qs["prefix"] = [rnd.choice(corpus.en[:3000])[:4] + "*" for _ in range(5)]
    qs["and-2-terms"] = [f"{rnd.choice(corpus.en[:3000])} {rnd.choice(corpus.en[:3000])}"
                         for _ in range(5)]
    out: dict[str, dict] = {}
    every: list[float] = []
    for kind, queries in qs.items():
        times, hits = [], []
        for q in queries:
            for _ in range(3):
                t0 = time.perf_counter()
                res = archive.search(q, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
            hits.append(len(res))
        every += times
        out[kind] = {"median_ms": round(statistics.median(times), 2),
                     "max_ms": round(max(times), 2), "hits": hits}
    archive.close()
    out["all"] = {"median_ms": round(statistics.median(every), 2),
                  "p95_ms": round(sorted(every)[int(len(every) * 0.95)], 2)}
    return out


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
            f"SQLite {archive_mod.sqlite3.sqlite_version}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small scales (~2 minutes)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    ingest_scales = (2_000, 10_000) if args.quick else (10_000, 100_000)
    link_scales = (10_000, 50_000) if args.quick else (10_000, 100_000, 1_000_000)
    anchor_n = 2_000 if args.quick else 10_000

    tmp = tempfile.TemporaryDirectory(prefix="store-bench-", dir=args.workdir)
    work = Path(tmp.name)
    results: dict = {"machine": machine(), "anchors": [], "ingest": [], "linking": []}
    print(results["machine"], flush=True)

    for tok in (None, "unicode61", "trigram"):
        r = run_anchor(anchor_n, work, tok)
        results["anchors"].append(r)
        print(f"anchor sqlite-utils insert_all, FTS {r['tokenizer']:9}: "
              f"{r['rows_per_s']:>7} rows/s  ({r['cpu_us_per_row']} µs CPU/row)  "
              f"{r['db_bytes'] / 1e6:.1f} MB", flush=True)

    fts_n = 2_000 if args.quick else 10_000
    results["fts_choice"] = run_fts_choice(fts_n, work)
    print(f"CJK full-text approaches on {fts_n} Chinese articles (recall = share of the "
          "articles containing the query string that the index finds):")
    for r in results["fts_choice"]:
        print(f"  {r['approach']:32} {r['rows_per_s']:>6} rows/s  index {r['index_mb']:>6} MB"
              f"  recall {r['recall']}", flush=True)

    last_path = None
    for n in ingest_scales:
        r = run_ingest(n, work)
        # the machine is shared: the anchor again right after, to compare like with like
        r["anchor_after"] = run_anchor(anchor_n, work, "unicode61", f"-after-{n}")["rows_per_s"]
        results["ingest"].append(r)
        last_path = r.pop("path")
        print(f"egovcrawl ingest {n:>8}: {r['articles_per_s']:>6} articles/s "
              f"({r['cpu_us_per_article']} µs CPU/article, all threads; "
              f"FTS bigram+unicode61, dedup, raw fetch + body)  archive/raw HTML = "
              f"{r['db_to_raw']}  ({r['db_bytes'] / 1e6:.0f} MB / {r['raw_html_bytes'] / 1e6:.0f}"
              f" MB)  near-dups linked {r['near_dups_linked']}/{r['republished']}; anchor "
              f"(unicode61) right after: {r['anchor_after']} rows/s", flush=True)

    q = run_queries(last_path, Corpus())
    results["queries"] = {"n": ingest_scales[-1], **q}
    print(f"FTS query latency on {ingest_scales[-1]} articles (top 20 by bm25):")
    for kind, v in q.items():
        print(f"  {kind:12} {v}")
    for p in work.glob("ingest-*"):
        p.unlink()

    for n in link_scales:
        r = run_ingest(n, work, html=False, sentences=(4, 12))
        r.pop("path")
        results["linking"].append(r)
        print(f"near-dup linking {n:>8}: {r['linking_seconds']:>7.1f} s "
              f"({r['linking_us_per_article']} µs/article: signature + LSH probe + verify + "
              f"bucket insert); whole filing {r['articles_per_s']} articles/s; "
              f"linked {r['near_dups_linked']} of {r['republished']} re-publications",
              flush=True)
        for p in work.glob("ingest-*"):
            p.unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    tmp.cleanup()


if __name__ == "__main__":
    main()
