from tests.newsletter.conftest import cur, nl_settings, sink, world  # noqa: F401  (shared fixtures)
