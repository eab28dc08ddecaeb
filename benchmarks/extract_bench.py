"""Milliseconds per page of `extract_page` (all fields) beside trafilatura.extract, same pages,
same run, calls interleaved so that machine noise hits both alike. Reports the ratio.

    python benchmarks/extract_bench.py                    # eval-dev aeb + cwced pages
    python benchmarks/extract_bench.py --pages DIR --rounds 3
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egovcrawl.extract import extract_page  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval-dev"


def load_pages(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    pages: list[tuple[str, str, str]] = []
    if args.pages:
        for path in sorted(args.pages.glob("*.htm*")):
            pages.append((path.name, path.read_bytes().decode("utf-8", "replace"), ""))
        return pages
    for name in args.datasets.split(","):
        base = args.eval_dir / name
        for line in (base / "pages.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            html = (base / rec["html"]).read_text(encoding="utf-8", errors="replace")
            pages.append((f"{name}/{rec['id']}", html, rec.get("url") or ""))
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--datasets", default="aeb,cwced")
    ap.add_argument("--pages", type=Path, help="a folder of .html files instead")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-anchor", action="store_true", help="time egovcrawl alone")
    args = ap.parse_args()

    import trafilatura

    pages = load_pages(args)
    ours: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    for html_text, url in [(p[1], p[2]) for p in pages[:3]]:  # warm-up, untimed
        extract_page(html_text, url)
        trafilatura.extract(html_text, url=url or None)
    for _ in range(args.rounds):
        for key, html_text, url in pages:
            body = html_text.encode("utf-8")  # bytes in, as a crawl delivers them
            t0 = time.perf_counter()
            extract_page(body, url, encoding="utf-8")
            ours.setdefault(key, []).append(time.perf_counter() - t0)
            if args.no_anchor:
                continue
            t0 = time.perf_counter()
            trafilatura.extract(html_text, url=url or None, with_metadata=True)
            theirs.setdefault(key, []).append(time.perf_counter() - t0)

    def med_ms(times: dict[str, list[float]]) -> float:
        return statistics.median(min(v) for v in times.values()) * 1000

    def total_s(times: dict[str, list[float]]) -> float:
        return sum(min(v) for v in times.values())

    print(f"machine: {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}, {len(pages)} pages, best of {args.rounds}")
    print(f"egovcrawl extract_page (all fields, bytes in): median {med_ms(ours):.2f} ms/page, "
          f"total {total_s(ours):.2f} s")
    if theirs:
        print(f"trafilatura.extract (with metadata):          median {med_ms(theirs):.2f} ms/page, "
              f"total {total_s(theirs):.2f} s")
        print(f"ratio egovcrawl/trafilatura: median {med_ms(ours) / med_ms(theirs):.2f}, "
              f"total {total_s(ours) / total_s(theirs):.2f} (target <= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
