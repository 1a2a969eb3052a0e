"""Issue 18, item 13: "this PC" is decided by literal address or the hosts file, never by a
``*.localhost`` name that the resolver sends to DNS."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from llmoin_desktop.core.engine.remote import is_loopback_host as remote_is_loopback
from llmoin_desktop.core.offline.loopback import is_loopback_host, parse_hosts
from llmoin_desktop.core.offline.network_guard import NetworkBlocked, NetworkGuard


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.4.5", "::1", "[::1]", "::ffff:127.0.0.1"])
def test_literal_loopback_addresses(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    ["foo.localhost", "evil.localhost.", "localhost.", "10.0.0.1", "example.org", "", "0.0.0.0"],
)
def test_names_and_other_addresses_are_not_loopback(host: str, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n::1 localhost ip6-localhost\n", encoding="utf-8")
    assert not is_loopback_host(host, hosts=hosts)


def test_the_hosts_file_decides_names(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "127.0.0.1 localhost box.localhost  # local\n10.1.2.3 mixed\n127.0.0.1 mixed\n"
        "# 127.0.0.1 commented.localhost\n",
        encoding="utf-8",
    )
    assert parse_hosts(hosts.read_text())["box.localhost"] == {"127.0.0.1"}
    assert is_loopback_host("localhost", hosts=hosts)
    assert is_loopback_host("BOX.localhost", hosts=hosts)
    assert not is_loopback_host("mixed", hosts=hosts)  # one address outside the PC
    assert not is_loopback_host("commented.localhost", hosts=hosts)


def test_server_checks_share_the_decision() -> None:
    assert not remote_is_loopback("anything.localhost")
    assert remote_is_loopback("127.0.0.1")


def test_offline_guard_counts_a_localhost_subdomain_lookup_as_network() -> None:
    # fail mode: the lookup is stopped inside the call, so no DNS query leaves this test
    with NetworkGuard("fail", allow_loopback=True) as guard, pytest.raises(NetworkBlocked):
        socket.getaddrinfo("llmoin-test.localhost", 80)
    assert [a.target for a in guard.attempts] == ["llmoin-test.localhost:80"]
    assert not guard.attempts[0].loopback
