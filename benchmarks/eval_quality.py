"""Score egovcrawl's extraction beside trafilatura, htmldate and readability in one run.

Uses the labelled third-party pages and scorer in ../shared/eval-dev (never copied into this
repo). Prints the scorer's Markdown table and writes the JSON to benchmarks/results/.

    python benchmarks/eval_quality.py                     # all sets, all anchors
    python benchmarks/eval_quality.py --datasets aeb --limit 20
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval-dev"
ANCHORS = {
    "egovcrawl": "benchmarks.eval_adapter:extract",
    "trafilatura": "benchmarks.eval_adapter:trafilatura",
    "htmldate": "benchmarks.eval_adapter:htmldate",
    "readability": "benchmarks.eval_adapter:readability",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--datasets", default="aeb,trafilatura,htmldate,cwced")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--only", default=",".join(ANCHORS), help="comma list of extractors")
    ap.add_argument("--per-page", type=Path, help="per-page results for error analysis")
    args = ap.parse_args()

    score = args.eval_dir / "score.py"
    if not score.exists():
        print(f"error: no scorer at {score} (pass --eval-dir)", file=sys.stderr)
        return 2
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(score), "--markdown", "--datasets", args.datasets,
           "--json", str(out_dir / "eval_quality.json")]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    if args.per_page:
        cmd += ["--per-page", str(args.per_page)]
    cmd += [f"{name}={ANCHORS[name]}" for name in args.only.split(",")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
