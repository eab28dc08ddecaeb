import signal
from collections.abc import Iterator

import pytest


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail a test that does not return within 60 s: a hang guard, not a speed target."""

    def _alarm(signum, frame):
        raise TimeoutError("extraction hung for 60 s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
