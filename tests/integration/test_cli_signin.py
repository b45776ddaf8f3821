"""How ``leadgate serve`` signs people in: with --token-file the token printed at the first
start is the one printed at every later start, so a terminal that exported it is never
locked out by a restart."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from leadgate.cli.signin import announce, announce_app, issue_token, shown_host
from leadgate.platform import Entity, EntityReference, LeadgateError, Organization
from leadgate.platform.users.messages import RevokeApiTokenRequest
from leadgate.sales.demo import ADMIN_EMAIL as DEMO_ADMIN
from leadgate.sales.demo import DEMO_PASSWORD, SALESPERSON_EMAIL
from tests.conftest import ADMIN_EMAIL, Demo


def test_the_token_file_is_private_and_its_token_is_reused(org: Organization, tmp_path):
    kept = tmp_path / "leadgate.token"

    first = issue_token(org, ADMIN_EMAIL, kept)

    assert kept.read_text() == first + "\n"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert issue_token(org, ADMIN_EMAIL.upper(), kept) == first  # a restart
    assert org.authenticate(first).email == ADMIN_EMAIL


def test_a_revoked_or_foreign_token_in_the_file_is_replaced(org: Organization, system, tmp_path):
    kept = tmp_path / "leadgate.token"
    kept.write_text("lg_not-a-token\n")
    kept.chmod(0o644)
    first = issue_token(org, ADMIN_EMAIL, kept)
    assert kept.read_text().strip() == first and stat.S_IMODE(kept.stat().st_mode) == 0o600

    system.execute(RevokeApiTokenRequest(first))
    second = issue_token(org, ADMIN_EMAIL, kept)

    assert second != first and kept.read_text().strip() == second
    system.create(
        "systemuser",
        lastname="Bee",
        internalemailaddress="bee@test.example",
        businessunitid=system.retrieve_multiple_all("businessunit")[0].to_reference(),
    )
    assert issue_token(org, "bee@test.example", kept) != second  # the file held the admin's
    assert org.authenticate(second).email == ADMIN_EMAIL  # and nobody was locked out


def test_without_a_token_file_each_start_replaces_the_last_token(org: Organization):
    first = issue_token(org, ADMIN_EMAIL, None)
    second = issue_token(org, ADMIN_EMAIL, None)
    assert org.authenticate(second).email == ADMIN_EMAIL
    with pytest.raises(LeadgateError) as refused:
        org.authenticate(first)
    assert refused.value.code == "0x8F4C4730"


def test_serve_prints_the_url_the_token_and_a_curl_to_paste(org: Organization, tmp_path, capsys,
                                                            monkeypatch):  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "en")
    monkeypatch.chdir(tmp_path)
    api = f"http://{shown_host('127.0.0.1')}:8080/api/data/v9.2"

    token_file = Path("leadgate.token")
    announce(api, ADMIN_EMAIL, issue_token(org, ADMIN_EMAIL, token_file), token_file)

    token = (tmp_path / "leadgate.token").read_text().strip()
    assert capsys.readouterr().out.splitlines() == [
        "leadgate is serving http://127.0.0.1:8080/api/data/v9.2/",
        f"API token for {ADMIN_EMAIL}: {token} (kept in leadgate.token: the same at every start)",
        f"Try: curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8080/api/data/v9.2/WhoAmI",
    ]
    assert shown_host("0.0.0.0") == "localhost" and shown_host("::1") == "[::1]"


def test_serve_prints_the_app_url_and_the_demo_sign_ins_that_work(demo: Demo, capsys,
                                                                  monkeypatch):  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "en")
    announce_app(demo.org, "http://127.0.0.1:8000/")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Open http://127.0.0.1:8000/ in a browser to use the sales app.",
        f"Demo administrator: {DEMO_ADMIN}, password {DEMO_PASSWORD}",
        f"Demo salesperson: {SALESPERSON_EMAIL}, password {DEMO_PASSWORD}",
    ]
    # As printed: each signs in, the salesperson as a salesperson.
    system = demo.org.system_service()
    salesperson = demo.org.sign_in(SALESPERSON_EMAIL, DEMO_PASSWORD)
    roles = system.retrieve_multiple("systemuserroles", systemuserid=EntityReference(
        "systemuser", salesperson.user_id))  # fmt: skip
    assert [system.retrieve("role", link["roleid"].id)["name"] for link in roles] == ["Salesperson"]

    # A sign-in that would not work is not printed.
    system.update(Entity("systemuser", salesperson.user_id, isdisabled=True))
    announce_app(demo.org, "http://127.0.0.1:8000/")
    assert [line for line in capsys.readouterr().out.splitlines() if "Demo" in line] == [
        f"Demo administrator: {DEMO_ADMIN}, password {DEMO_PASSWORD}"
    ]


def test_serve_prints_no_demo_sign_ins_without_the_demo(org: Organization, capsys, monkeypatch):
    monkeypatch.setenv("LEADGATE_LANG", "en")
    announce_app(org, "http://127.0.0.1:8000/")
    assert capsys.readouterr().out.splitlines() == [
        "Open http://127.0.0.1:8000/ in a browser to use the sales app."
    ]
