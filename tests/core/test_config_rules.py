"""Every setting has one rule, checked when settings are loaded (issue 10, item 8): a bad value stops
`curator init` and every other command at once, with one message naming the file or environment
variable, the setting and what is allowed. An empty feeds file retires nothing without a flag."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.config import SETTING_RULES, Settings, load_settings
from curator.core import Curator
from curator.errors import ConfigError
from curator.types import Source

# (setting, value as written in curator.yaml, words of the allowed values that the message must show)
BAD_VALUES = [
    ("fetch_allowed_networks", "['127.0.0.1/32', 'intranet']", "CIDR"),
    ("fetch_allowed_networks", "'999.1.1.1/8'", "CIDR"),
    ("fetch_total_timeout", "-5", "greater than 0"),
    ("fetch_connect_timeout", "0", "greater than 0"),
    ("fetch_read_timeout", ".nan", "greater than 0"),
    ("fetch_max_bytes", "0", "1024"),
    ("fetch_max_redirects", "-1", "0 to 20"),
    ("collect_max_items", "-1", "from 1 to 10000"),
    ("collect_max_items", "2.5", "whole number"),
    ("collect_workers", "0", "from 1 to 64"),
    ("smtp_port", "-5", "1 to 65535"),
    ("smtp_port", "true", "1 to 65535"),
    ("smtp_port", "'submission'", "1 to 65535"),
    ("smtp_security", "foo", "starttls, tls or none"),
    ("smtp_host", "'smtp://mail.example.org'", "without scheme or port"),
    ("smtp_password", "\"pa\\r\\nss\"", "one line"),
    ("timezone", "Mars/Olympus", "IANA time zone"),
    ("timezone", "'../../etc/passwd'", "IANA time zone"),
    ("database_url", "'mysql://x@y/z'", "sqlite:///"),
    ("encoder", "word2vec", "e5, minilm"),
    ("second_encoder", "word2vec", "auto (use when the use extra is installed"),
    ("second_encoder", "e5+use", "none, or an encoder"),
    ("mail_from", "'Curator'", "one sender"),
    ("mail_from", "'a@example.org, b@example.org'", "one sender"),
    ("base_url", "'javascript:alert(1)'", "http:// or https://"),
    ("base_url", "'https://curator.example.org/?x=1'", "no query"),
    ("secret_key", "short", "at least 16"),
    ("feeds_file", "''", "not empty"),
    ("backoff_max_minutes", "{a: 1}", "minutes"),
]


@pytest.mark.parametrize(("name", "written", "allowed"), BAD_VALUES, ids=lambda v: str(v)[:30])
def test_a_bad_value_in_the_settings_file_names_file_setting_and_what_is_allowed(
        tmp_path: Path, name: str, written: str, allowed: str) -> None:
    cfg = tmp_path / "curator.yaml"
    cfg.write_text(f"{name}: {written}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    message = str(info.value)
    assert message.startswith(f"{cfg}: setting '{name}' is ")
    assert "allowed: " in message and allowed in message
    assert "\n" not in message  # one problem, one line


@pytest.mark.parametrize(("variable", "value", "allowed"), [
    ("CURATOR_SMTP_PORT", "-5", "1 to 65535"),
    ("CURATOR_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32,not-a-net", "CIDR"),
    ("CURATOR_FETCH_MAX_BYTES", "lots", "whole number of bytes"),
    ("CURATOR_TIMEZONE", "Mars/Olympus", "IANA"),
    ("CURATOR_SMTP_SECURITY", "foo", "starttls, tls or none"),
])
def test_a_bad_environment_variable_is_named(variable: str, value: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={variable: value})
    assert str(info.value).startswith(f"environment variable {variable}: setting ")
    assert allowed in str(info.value)


def test_several_mistakes_come_in_one_message_with_a_line_each(tmp_path: Path) -> None:
    cfg = tmp_path / "curator.yaml"
    cfg.write_text("fetch_total_timeout: -5\nsmtp_security: foo\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={"CURATOR_TIMEZONE": "Mars/Olympus"})
    lines = str(info.value).splitlines()
    assert lines[0] == "3 settings are not valid:"
    assert any(line.strip().startswith(f"{cfg}: setting 'fetch_total_timeout'") for line in lines)
    assert any(line.strip().startswith(f"{cfg}: setting 'smtp_security'") for line in lines)
    assert any(line.strip().startswith("environment variable CURATOR_TIMEZONE: setting 'timezone'") for line in lines)


def test_a_relation_between_two_settings_names_both() -> None:
    with pytest.raises(ConfigError, match=r"backoff_max_minutes.*at least backoff_base_minutes \(2000, from "
                                          r"environment variable CURATOR_BACKOFF_BASE_MINUTES\)"):
        load_settings(None, env={"CURATOR_BACKOFF_BASE_MINUTES": "2000"})


def test_every_setting_has_exactly_one_rule_and_the_defaults_keep_them() -> None:
    assert set(SETTING_RULES) == {f.name for f in fields(Settings)}
    Settings()  # the defaults obey every rule
    load_settings(None, env={})


def test_good_values_are_read_in_the_settings_type(tmp_path: Path) -> None:
    cfg = tmp_path / "curator.yaml"
    cfg.write_text("fetch_allowed_networks: [127.0.0.1/32, '::1/128']\nsmtp_port: '2525'\nsmtp_host: mail.example.org\n"
                   "smtp_user:\nmail_from: 'Clüster <news@bücher.example>'\ntimezone: UTC\n", encoding="utf-8")
    s = load_settings(cfg, env={"CURATOR_FETCH_TOTAL_TIMEOUT": "7.5"}, smtp_security="tls")
    assert s.fetch_allowed_networks == ("127.0.0.1/32", "::1/128")
    assert (s.smtp_port, s.smtp_host, s.smtp_user, s.smtp_security) == (2525, "mail.example.org", "", "tls")
    assert s.fetch_total_timeout == 7.5


def test_settings_made_in_code_obey_the_same_rules() -> None:
    with pytest.raises(ConfigError, match=r"^settings: setting 'smtp_port' is 0; allowed: a port number"):
        Settings(smtp_port=0)
    with pytest.raises(ConfigError, match="fetch_allowed_networks"):
        Settings().replace(fetch_allowed_networks=("intranet",))


def test_curator_init_stops_at_once_on_a_bad_setting(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    cfg = tmp_path / "curator.yaml"
    cfg.write_text(f"database_url: sqlite:///{db}\ntimezone: Mars/Olympus\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--config", str(cfg), "init"])
    assert res.exit_code == 1
    assert f"{cfg}: setting 'timezone' is 'Mars/Olympus'; allowed: an IANA time zone name" in res.output
    assert "Traceback" not in res.output and not db.exists()  # nothing was done


# --------------------------------------------------------------------------- an empty feeds file

FEEDS = "sources:\n  - {id: a, title: A, url: 'https://a.example/feed'}\n  - {id: b, title: B, url: 'https://b.example/f'}\n"


@pytest.mark.parametrize("empty", ["", "sources: []\n", "# all gone\nsources:\n", "defaults: {poll_minutes: 30}\n"])
def test_an_empty_feeds_file_retires_nothing_without_the_flag(curator: Curator, empty: str) -> None:
    path = Path(curator.settings.feeds_file)
    path.write_text(FEEDS, encoding="utf-8")
    assert curator.sources.sync() == (2, 0, 0)
    path.write_text(empty, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        curator.sources.sync()
    message = str(info.value)
    assert message.startswith(f"{path}: lists no sources") and "all 2 (a, b)" in message
    assert "--allow-empty-feeds" in message
    with pytest.raises(ConfigError, match="lists no sources"):
        curator.init()
    assert {h.source.id for h in curator.sources.health() if h.source.enabled} == {"a", "b"}
    assert curator.sources.sync(allow_empty=True) == (0, 0, 2)
    assert not any(h.source.enabled for h in curator.sources.health())


def test_an_empty_list_is_fine_only_when_there_is_nothing_to_retire(curator: Curator) -> None:
    Path(curator.settings.feeds_file).write_text("sources: []\n", encoding="utf-8")
    assert curator.sources.sync() == (0, 0, 0)
    assert curator.init()["sources_retired"] == 0
    curator.sources.sync([Source(id="a", title="A", url="https://a.example/feed")])
    with pytest.raises(ConfigError, match=r"^the list of sources given: lists no sources.*all 1 \(a\)"):
        curator.sources.sync([])
