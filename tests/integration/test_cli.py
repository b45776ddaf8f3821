"""The leadgate command, as an administrator types it, on both databases."""

from __future__ import annotations

import pytest

from leadgate.platform import Organization
from tests.conftest import ADMIN_EMAIL


def test_init_creates_an_organization_and_is_safe_to_repeat(run, empty_database_url):
    code, out, err = run("init", "--db", empty_database_url, "--name", "Contoso")
    assert (code, err) == (0, "")
    assert "Organization ready: 2 solution(s) installed." in out
    assert run("init", "--db", empty_database_url)[0] == 0
    with Organization.open(empty_database_url) as organization:
        record = organization.system_service().retrieve_multiple_all("organization")
        assert [r["name"] for r in record] == ["Contoso"]


# The CLI's part: init with --demo on an empty database (test_demo checks the demo on both
# databases, and the test above init on both).
@pytest.mark.interface_only
def test_init_demo_installs_the_demo_organization(run, empty_database_url):
    code, out, _ = run("init", "--demo", "--db", empty_database_url)
    assert code == 0
    assert "Demo administrator: admin@demo.leadgate.example, password leadgate-demo" in out
    assert "sign in to the browser app once leadgate serve runs" in out
    with Organization.open(empty_database_url) as organization:
        leads = organization.system_service().retrieve_multiple_all("lead", columns=["statecode"])
        assert len(leads) >= 150
        # Every demo user holds a role: the admin reads every lead, a salesperson only some.
        admin = organization.service("admin@demo.leadgate.example")
        assert len(admin.retrieve_multiple_all("lead", columns=["leadid"])) == len(leads)
        camille = organization.service("camille.laurent@demo.leadgate.example")
        assert 0 < len(camille.retrieve_multiple_all("lead", columns=["leadid"])) < len(leads)
    code, out, _ = run("bu", "list", "--db", empty_database_url)
    assert code == 0 and "Contoso Europe" in out


def test_users_and_tokens(run, database_url):
    db = ("--db", database_url)
    code, out, _ = run(
        "users",
        "add",
        "--email",
        "grace@test.example",
        "--name",
        "Grace Hopper",
        "--password",
        "cobol-1959",
        "--language",
        "fr",
        *db,
    )
    assert code == 0 and "Added user grace@test.example" in out
    code, out, _ = run("users", "list", *db)
    assert "grace@test.example" in out and "Grace Hopper" in out and "\tfr\t" in out
    code, token, err = run("token", "create", "--email", "grace@test.example", *db)
    token = token.strip()
    assert code == 0 and err == "" and token.startswith("lg_") and "\n" not in token
    with Organization.open(database_url) as organization:
        user = organization.authenticate(token)
        assert user.email == "grace@test.example" and user.language == "fr"
    assert run("users", "disable", "--email", "grace@test.example", *db)[0] == 0
    with Organization.open(database_url) as organization, pytest.raises(Exception) as refused:
        organization.authenticate(token)
    assert refused.value.code == "0x8F4C4731"
    assert run("users", "enable", "--email", "grace@test.example", *db)[0] == 0
    code, out, _ = run("token", "list", "--email", "grace@test.example", *db)
    assert token[:9] in out
    code, out, _ = run("token", "revoke", token, *db)
    assert code == 0 and "Revoked 1 token(s)." in out
    with Organization.open(database_url) as organization, pytest.raises(Exception) as refused:
        organization.authenticate(token)
    assert refused.value.code == "0x8F4C4730"


def test_refusals_are_one_line_with_a_code_in_the_reader_language(run, database_url, monkeypatch):
    db = ("--db", database_url)
    code, out, err = run("users", "add", "--email", ADMIN_EMAIL, "--name", "Again", *db)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error 0x80040237: Cannot insert duplicate key")
    code, _, err = run(
        "users", "add", "--email", "x@test.example", "--name", "X", "--password", "short", *db
    )
    assert (code, err) == (
        1,
        "error 0x8F4C4734: The password is too short: use at least 8 characters.\n",
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, _, err = run("token", "create", "--email", "nobody@test.example", *db)
    assert (code, err) == (
        1,
        "error 0x8F4C4732: Aucun utilisateur n'a l'adresse e-mail « nobody@test.example ».\n",
    )


@pytest.mark.interface_only
def test_serve_with_an_unknown_address_stops_before_it_says_it_serves(
    run, database_url, monkeypatch
):
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    code, out, err = run("serve", "--issue-token", "you@example.com", "--db", database_url)
    assert (code, served) == (1, [])
    assert "serving" not in out and "Open" not in out
    assert err == "error 0x8F4C4732: No user has the e-mail address 'you@example.com'.\n"
    assert out == "The users and their e-mail addresses: leadgate users list\n"
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, out, err = run("serve", "--issue-token", "you@example.com", "--db", database_url)
    assert err.startswith("error 0x8F4C4732: Aucun utilisateur n'a l'adresse e-mail")
    assert out == "Les utilisateurs et leurs adresses e-mail : leadgate users list\n"


@pytest.mark.interface_only
def test_bad_usage_is_one_line_too(run, database_url):
    code, _, err = run("customize", "add-column", "lead", "--db", database_url)
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
    code, _, err = run("frobnicate")
    assert code == 2 and "No such command" in err and err.count("\n") == 1


def test_an_uninitialized_database_is_explained(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    code, _, err = run("users", "list", "--db", url)
    assert code == 1
    assert err == (
        f"error 0x8F4C4716: The database {url} holds no leadgate organization. "
        f"Create one with: leadgate init --db {url}\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["serve"],
        ["users"],
        ["users", "add"],
        ["token", "create"],
        ["customize", "add-column"],
        ["customize", "publish"],
        ["plugins", "register"],
        ["plugins", "trace"],
    ],
)
def test_every_command_has_help(run, command):
    code, out, _ = run(*command, "--help")
    assert code == 0 and "Usage:" in out
    if command:
        assert "--db" in out or "Commands" in out


def test_customize_then_publish(run, database_url):
    db = ("--db", database_url)
    assert (
        run(
            "customize",
            "add-table",
            "new_project",
            "--label",
            "Project",
            "--label-fr",
            "Projet",
            *db,
        )[0]
        == 0
    )
    code, out, _ = run(
        "customize",
        "add-column",
        "new_project",
        "new_stage",
        "--type",
        "choice",
        "--label",
        "Stage",
        "--option",
        "1=Idea|Idée",
        "--option",
        "2=Live",
        *db,
    )
    assert code == 0
    code, out, _ = run(
        "customize",
        "add-choice",
        "lead",
        "statuscode",
        "--label",
        "Nurturing",
        "--label-fr",
        "En maturation",
        "--state",
        "0",
        *db,
    )
    assert "Added choice 100000000 (Nurturing) to lead.statuscode" in out
    code, out, _ = run("customize", "publish", "--dry-run", *db)
    assert "create table new_project" in out and "add choice 100000000 (Nurturing)" in out
    assert "(dry run: nothing changed)" in out
    code, out, _ = run("customize", "publish", *db)
    assert code == 0 and "Published" in out
    assert "Nothing to publish." in run("customize", "publish", *db)[1]
    code, out, _ = run("customize", "list", "lead", *db)
    assert "100000000 Nurturing (state 0)" in out
    code, out, _ = run("customize", "list", *db)
    assert "new_project" in out and "new_projects" in out
    with Organization.open(database_url) as organization:
        service = organization.service(ADMIN_EMAIL)
        project = service.create("new_project", new_name="Apollo", new_stage=1)
        assert service.retrieve("new_project", project)["new_stage"] == 1
        lead = service.create("lead", subject="Demo", lastname="Lovelace", statuscode=100000000)
        assert service.retrieve("lead", lead)["statuscode"] == 100000000


def test_plugins_register_list_disable_and_trace(run, database_url):
    db = ("--db", database_url)
    code, out, _ = run(
        "plugins",
        "register",
        "--name",
        "Crash on widgets",
        "--message",
        "Create",
        "--table",
        "new_widget",
        "--stage",
        "20",
        "--handler",
        "tests.sample_plugins:crash",
        *db,
    )
    assert code == 0 and "Registered step Crash on widgets" in out
    code, out, _ = run("plugins", "list", "--table", "new_widget", *db)
    (crash,) = [line for line in out.splitlines() if "Crash on widgets" in line]
    assert "enabled" in crash and "(built in)" not in crash
    # Built-in steps listed for the table are the ones that run on every table.
    assert all(line.split("\t")[1] == "*" for line in out.splitlines() if "(built in)" in line)
    code, out, _ = run("plugins", "list", *db)
    assert "Check a plug-in step registration (Create sdkmessageprocessingstep)" in out
    assert "(built in)" in out
    with Organization.open(database_url) as organization:
        service = organization.service(ADMIN_EMAIL)
        with pytest.raises(Exception) as refused:
            service.create("new_widget", new_name="w", new_size="S")
        assert refused.value.code == "0x80040224"
    code, out, _ = run("plugins", "trace", *db)
    assert "about to divide" in out and "ZeroDivisionError" in out
    assert run("plugins", "disable", "Crash on widgets", *db)[0] == 0
    assert "disabled" in run("plugins", "list", "--message", "create", *db)[1]
    with Organization.open(database_url) as organization:
        organization.service(ADMIN_EMAIL).create("new_widget", new_name="w", new_size="S")
    code, _, err = run(
        "plugins",
        "register",
        "--name",
        "bad",
        "--message",
        "Create",
        "--stage",
        "40",
        "--handler",
        "nowhere:nothing",
        *db,
    )
    assert code == 1 and err.startswith("error 0x8F4C4721: The plug-in 'nowhere:nothing' cannot")
    assert "Plug-in trace log: off." in run("plugins", "trace", "--setting", "off", *db)[1]
