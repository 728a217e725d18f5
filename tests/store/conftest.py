"""Store tests: the pipeline's batch path must not quietly fall back to the one-message replay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_isolated_retry(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A batch that fails is replayed message by message and still lands, so a bug in the batch
    path (store/batch.py) would pass every behaviour test; the replay's warning gives it away."""
    yield
    retried = [r for r in caplog.get_records("call") if "event=batch.retry_isolated" in r.getMessage()]
    assert not retried, "a batch failed and was replayed one message at a time"
