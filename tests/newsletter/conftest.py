from __future__ import annotations

from collections.abc import Iterator

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from tests.delivery.sink import SmtpSink

from .world import SECRET, World, build_world


@pytest.fixture
def nl_settings(settings: Settings) -> Settings:
    return settings.replace(secret_key=SECRET, mail_from="DigitalCluster Digest <digest@cluster.example>",
                            base_url="https://curator.example")


@pytest.fixture
def cur(nl_settings: Settings, clock: FixedClock) -> Iterator[Curator]:
    c = make_curator(nl_settings, clock=clock)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def world(cur: Curator) -> World:
    return build_world(cur)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as s:
        yield s
