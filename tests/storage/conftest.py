from collections.abc import Iterator

import pytest

from egovcrawl.storage import Archive


@pytest.fixture
def archive(tmp_path) -> Iterator[Archive]:
    a = Archive.open(tmp_path / "archive.db")
    yield a
    a.close()
