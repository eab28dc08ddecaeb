"""A crawl killed with SIGKILL leaves a consistent archive, and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from egovcrawl.storage import Archive

CHILD = Path(__file__).with_name("crash_child.py")
N = 400


def spawn(db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), str(db), str(N), *extra],
                            stdout=subprocess.PIPE, text=True)


def kill_after(proc: subprocess.Popen[str], marker: str) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(marker):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def check_consistent(db: Path) -> Archive:
    archive = Archive.open(db)
    assert archive.integrity_check() == ["ok"]
    c = archive.conn
    # every reference resolves: no article without its fetch/body, no URL without its article
    assert c.execute("SELECT count(*) FROM fetches f LEFT JOIN bodies b ON b.hash = f.body_hash "
                     "WHERE f.body_hash IS NOT NULL AND b.hash IS NULL").fetchone() == (0,)
    assert c.execute("SELECT count(*) FROM articles a LEFT JOIN fetches f ON f.id = a.fetch_id "
                     "WHERE f.id IS NULL").fetchone() == (0,)
    assert c.execute("SELECT count(*) FROM article_urls u LEFT JOIN articles a "
                     "ON a.id = u.article_id WHERE a.id IS NULL").fetchone() == (0,)
    assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    # the full-text index holds exactly the articles
    n_articles = c.execute("SELECT count(*) FROM articles").fetchone()[0]
    n_fts = c.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert n_fts == n_articles
    return archive


def finish(db: Path) -> None:
    done = subprocess.run([sys.executable, str(CHILD), str(db), str(N)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    archive = check_consistent(db)
    assert archive.counts()["articles"] == N
    assert archive.pending_fetch_ids() == []
    assert archive.conn.execute(
        "SELECT count(DISTINCT url) FROM articles").fetchone() == (N,)
    hits = archive.search("Reference")
    assert len(hits) == 20
    archive.close()


def test_kill_between_fetch_and_store(tmp_path):
    db = tmp_path / "crash.db"
    proc = spawn(db, "--pause-after-fetch", "3")
    kill_after(proc, "PAUSED")
    archive = check_consistent(db)
    pending = archive.pending_fetch_ids()
    assert len(pending) == 20  # batch 3's fetches were committed, not yet filed
    assert archive.counts()["articles"] == 60
    archive.close()
    finish(db)  # the next run files the pending fetches from their stored bodies


@pytest.mark.parametrize("after_batches", [2, 7])
def test_kill_mid_ingest_at_any_point(tmp_path, after_batches):
    db = tmp_path / "crash.db"
    proc = spawn(db)
    kill_after(proc, f"batch {after_batches}")  # the child is already writing the next batch
    check_consistent(db).close()
    finish(db)


def test_kill_between_fetch_and_store_with_the_pipelined_ingestor(tmp_path):
    db = tmp_path / "crash.db"
    proc = spawn(db, "--pause-after-fetch", "3", "--ingestor")
    kill_after(proc, "PAUSED")
    archive = check_consistent(db)
    # batch 3's fetches committed; batch 2 extracted but held back for filing: both pending
    assert len(archive.pending_fetch_ids()) == 40
    assert archive.counts()["articles"] == 40
    archive.close()
    finish(db)


@pytest.mark.parametrize("after_batches", [1, 4, 9])
def test_kill_during_a_background_commit(tmp_path, after_batches):
    db = tmp_path / "crash.db"
    proc = spawn(db, "--ingestor")
    kill_after(proc, f"batch {after_batches}")  # a filing commits on its thread right now
    check_consistent(db).close()
    finish(db)
