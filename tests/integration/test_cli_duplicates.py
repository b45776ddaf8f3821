"""``leadgate duplicates`` and the duplicate warning of ``leadgate leads qualify`` (REFERENCE §5).

An administrator lists, adds, publishes and unpublishes duplicate detection rules, and looks
for the duplicates of a record; ``leads qualify`` takes the lead form's path: the account and
contact about to be created are checked first. Each test runs the command line on the test
database (SQLite, then PostgreSQL) and checks what it printed and what changed.
"""

from __future__ import annotations

import re
import threading
import uuid

from leadgate.cli import waiting
from leadgate.platform import CreateRequest, Entity, ExecuteTransactionRequest, Organization
from leadgate.platform.duplicates.rule_messages import PublishDuplicateRuleBatchRequest
from leadgate.platform.jobs import CancelJobRequest, JobStatus, claim_next, run_job
from tests.integration.test_cli_leads import count, lead_values, new_lead, rows

PUBLISHED = {
    "Accounts with the same Account Name",
    "Contacts with the same e-mail address",
    "Leads with the same e-mail address",
}
COMPANY_RULE = (
    "Accounts with the same company name (ignoring case, punctuation, accents and legal form)"
)
SEED_EN = "There might already be a match for this account or contact. If so, please select it."
SEED_FR = (
    "Il peut déjà y avoir une correspondance pour ce compte ou ce contact. "
    "Si c'est le cas, sélectionnez-le."
)
HINT_EN = (
    "Link an existing record with --use-account ID or --use-contact ID, or create new records "
    "anyway with --continue."
)


def rule_status(cli, name: str) -> str:
    (found,) = [row for row in rows(cli("duplicates", "rules", "list")) if row[0] == name]
    return found[2]


def accounts(org: Organization, *names: str) -> list[uuid.UUID]:
    """Accounts saved in one transaction (no duplicate detection, as programs do)."""
    ids = [uuid.uuid4() for _ in names]
    creates = tuple(
        CreateRequest(Entity("account", key, {"name": name}))
        for key, name in zip(ids, names, strict=True)
    )
    org.system_service().execute(ExecuteTransactionRequest(creates))
    return ids


# --- rules -----------------------------------------------------------------------------------


def test_list_shows_the_shipped_rules_their_status_and_conditions(cli, monkeypatch):
    listed = rows(cli("duplicates", "rules", "list"))

    assert {row[0] for row in listed if row[2] == "Published"} == PUBLISHED
    assert len(listed) == 10 and {row[2] for row in listed} == {"Published", "Unpublished"}
    by_name = {row[0]: row for row in listed}
    assert by_name["Accounts with the same Account Name"][1:4] == [
        "account → account", "Published", "name = name (Exact Match)",
    ]  # fmt: skip
    assert by_name["Contacts with the same first name and last name"][3] == (
        "firstname = firstname (Exact Match); lastname = lastname (Exact Match)"
    )
    assert by_name["Contacts with a similar full name"][3] == (
        "fullname = fullname (Similar Name: 90)"
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    french = {row[0]: row[2] for row in rows(cli("duplicates", "rules", "list"))}
    assert french["Comptes avec le même nom de compte"] == "Publiée"
    assert french["Comptes avec la même adresse e-mail"] == "Non publiée"


def test_show_finds_a_rule_by_either_name_in_any_case_or_by_id(cli):
    out = cli("duplicates", "rules", "show", "comptes avec le même nom de compte")

    assert out.splitlines()[:3] == [
        "Accounts with the same Account Name (Published): each account record is compared "
        "with the account records.",
        "Inactive matching records are excluded.",
        "Text is compared ignoring case.",
    ]
    ((number, base, matching, criteria, blank, _key),) = [
        line.split("\t") for line in out.splitlines()[4:]
    ]
    assert (number, base, matching, criteria, blank) == ("1", "name", "name", "Exact Match", "")
    rule_id = next(row[4] for row in rows(cli("duplicates", "rules", "list"))
                   if row[0] == "Accounts with the same Account Name")  # fmt: skip
    assert cli("duplicates", "rules", "show", rule_id) == out
    assert cli("duplicates", "rules", "show", "ACCOUNTS WITH THE SAME ACCOUNT NAME") == out


def test_an_unknown_rule_is_a_coded_error_in_the_users_language(refused, monkeypatch):
    assert refused("duplicates", "rules", "publish", "Nope") == (
        1, "error 0x8F4C477F: No duplicate detection rule is named or has the id 'Nope'."
    )  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    assert refused("duplicates", "rules", "show", "Nope") == (
        1, "error 0x8F4C477F: Aucune règle de détection des doublons ne porte le nom ou "
        "l'identifiant « Nope »."
    )  # fmt: skip


def test_add_a_rule_and_its_conditions_then_publish_it_in_batches(cli, org):
    accounts(org, *(f"Account {n:02}" for n in range(23)), "Contoso Ltd.", "Contoso Pharma")

    added = cli("duplicates", "rules", "add", "Accounts with the same start", "--base", "account",
                "--exclude-inactive", "--name-fr", "Comptes au même début")  # fmt: skip
    condition = cli("duplicates", "rules", "condition", "accounts with the same start",
                    "--base-column", "name", "--operator", "first-characters",
                    "--param", "7")  # fmt: skip
    out = cli("duplicates", "rules", "publish", "Comptes au même début", "--batch", "10")
    job = org.system_service().retrieve_multiple("asyncoperation", kind="duplicates.publish")[0]

    assert re.fullmatch(r"Added the rule Accounts with the same start \([0-9a-f-]{36}\), "
                        r"unpublished: add its conditions, then publish it\.\n", added)  # fmt: skip
    assert condition.startswith(
        "Added the condition name = name (Same First Characters: 7) ("
    ) and condition.endswith(") to the rule Accounts with the same start.\n")
    # The command ran the job itself (no worker was running), three batches of ten.
    assert out == (
        "Published the rule Accounts with the same start: 25 account records have their match "
        "codes.\n"
    )
    assert (job["statuscode"], job["checkpoint"]) == (30, '{"batches": 3, "records": 25}')
    assert rule_status(cli, "Accounts with the same start") == "Published"
    rule = cli("duplicates", "rules", "show", "Accounts with the same start")
    assert "Inactive matching records are excluded." in rule
    assert cli("duplicates", "rules", "publish", "Accounts with the same start") == (
        "The rule Accounts with the same start is already published.\n"
    )
    (group,) = accounts(org, "Contoso Group")  # its codes are kept from its creation on
    found = rows(cli("duplicates", "find", "account", str(group)))
    assert sorted(row[1] for row in found) == ["Contoso Ltd.", "Contoso Pharma"]
    assert {row[3] for row in found} == {"Accounts with the same start"}


def test_publishing_resumes_a_rule_left_publishing(cli, org):
    accounts(org, *(f"Account {n:02}" for n in range(25)))
    name = "Accounts with the same e-mail address"
    system = org.system_service()
    (rule,) = system.retrieve_multiple("duplicaterule", name=name).entities
    assert rule.id is not None
    queued = cli("duplicates", "rules", "publish", name, "--no-wait", "--batch", "10")
    (job_id,) = re.findall(r"^Queued the system job ([0-9a-f-]{36}): ", queued, re.M)
    # Asked again while its job waits: the same job, not a second one.
    assert cli("duplicates", "rules", "publish", name, "--no-wait").splitlines() == [
        f"The rule {name} is being published by the system job {job_id}.",
        f"Follow it with: leadgate jobs show {job_id}",
    ]
    # One batch done, then the job canceled: the rule stays Publishing, its first ten done.
    first = system.execute(PublishDuplicateRuleBatchRequest(rule.id, 10))
    assert (first.processed, first.total, first.published) == (10, 25, False)
    system.execute(CancelJobRequest(uuid.UUID(job_id)))
    assert rule_status(cli, name) == "Publishing"

    out = cli("duplicates", "rules", "publish", name, "--batch", "10")

    assert out.splitlines() == [
        f"The rule {name} was left Publishing: the job resumes after the records already done.",
        f"Published the rule {name}: 25 account records have their match codes.",
    ]
    assert rule_status(cli, name) == "Published"
    (done,) = system.retrieve_multiple("asyncoperation", kind="duplicates.publish", statuscode=30)
    assert done["checkpoint"] == '{"batches": 2, "records": 25}'  # the 15 left, not all 25


def test_publish_no_wait_leaves_the_job_to_a_worker(cli, org):
    name = "Contacts with the same first name and last name"
    out = cli("duplicates", "rules", "publish", name, "--no-wait")
    (job_id,) = re.findall(r"Follow it with: leadgate jobs show ([0-9a-f-]{36})$", out, re.M)
    assert rule_status(cli, name) == "Publishing"
    assert "Publish Duplicate Rule" in cli("jobs", "show", job_id)

    ran = cli("worker", "--once")

    assert job_id in ran and "Succeeded" in ran
    assert rule_status(cli, name) == "Published"


def test_publish_follows_a_worker_that_took_the_job_first(cli, org, monkeypatch):
    accounts(org, *(f"Account {n:02}" for n in range(5)))
    name = "Accounts with the same e-mail address"
    queued = cli("duplicates", "rules", "publish", name, "--no-wait")
    (job_id,) = re.findall(r"^Queued the system job ([0-9a-f-]{36}): ", queued, re.M)
    job = claim_next(org, "busy-worker", job_id=uuid.UUID(job_id))  # a worker has it
    assert job is not None
    tried = threading.Event()

    def try_to_claim(*args, **kwargs):
        found = claim_next(*args, **kwargs)
        tried.set()
        return found

    monkeypatch.setattr(waiting, "claim_next", try_to_claim)

    def busy_worker():  # runs the job once the command has found it taken
        assert tried.wait(60)
        run_job(org, job, "busy-worker")

    worker = threading.Thread(target=busy_worker)
    worker.start()
    out = cli("duplicates", "rules", "publish", name)  # follows that worker's job to its end
    worker.join()

    assert out.splitlines() == [
        f"The rule {name} is being published by the system job {job_id}.",
        f"Published the rule {name}: 5 account records have their match codes.",
    ]
    assert len(org.system_service().retrieve_multiple_all("asyncoperation")) == 1


def test_ctrl_c_gives_the_running_job_back_to_the_queue(run, cli, database_url, org,
                                                         ctrl_c_while_a_job_runs):  # fmt: skip
    name = "Accounts with the same e-mail address"
    system = org.system_service()
    code, out, err = run("duplicates", "rules", "publish", name, "--db", database_url)

    (job,) = system.retrieve_multiple_all("asyncoperation", columns=["statuscode", "hostid"])
    assert (code, err) == (130, "")
    assert out.splitlines() == [
        "Stopped waiting. The system jobs still to do go on in a worker (leadgate worker, or "
        "the one leadgate serve runs), where they stopped. Follow one with: leadgate jobs show "
        "ID; cancel it with: leadgate jobs cancel ID",
        str(job.id),
    ]
    assert (job["statuscode"], job.get("hostid")) == (JobStatus.WAITING_FOR_RESOURCES, None)
    assert rule_status(cli, name) == "Publishing"


def test_detect_stores_the_duplicates_of_a_filtered_table_and_lists_them(
    cli, refused, org, monkeypatch
):
    contoso = accounts(org, "Contoso", "Contoso", "Fabrikam", "Fabrikam", "Litware")
    out = cli("duplicates", "detect", "accounts", "--filter", "name ne 'Litware'", "--batch", "2")
    lines = out.splitlines()
    assert lines[0] == "Checked 4 account records: 4 have possible duplicates, 4 matches in all."
    (job_id,) = re.findall(r"^List them with: leadgate duplicates results ([0-9a-f-]{36})$",
                           lines[1])  # fmt: skip
    listed = rows(cli("duplicates", "results", job_id))
    assert sorted((row[0], row[1], row[3], row[4], row[5]) for row in listed) == sorted(
        (name, str(a), name, str(b), "Accounts with the same Account Name")
        for name, pair in (("Contoso", contoso[:2]), ("Fabrikam", contoso[2:4]))
        for a, b in (pair, pair[::-1])
    )
    shown = cli("jobs", "show", job_id)
    assert "Bulk Duplicate Detection" in shown and '"pairs": 4' in shown
    # No published rule checks leads once the shipped one is unpublished: refused, coded.
    cli("duplicates", "rules", "unpublish", "Leads with the same e-mail address")
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, line = refused("duplicates", "detect", "lead")
    assert code == 1 and line.startswith(
        "error 0x8F4C47FE: Aucune règle de détection des doublons publiée ne vérifie les "
        "enregistrements Prospect"
    )
    out = cli("duplicates", "detect", "account", "--filter", "name eq 'Litware'")
    assert (
        out == "1 enregistrements account vérifiés : 0 ont des doublons potentiels, 0 "
        "correspondances en tout.\n"
    )


def test_an_invalid_condition_is_refused_in_english_and_french(cli, refused, monkeypatch):
    cli("duplicates", "rules", "add", "Bad start", "--base", "account")
    condition = ("duplicates", "rules", "condition", "Bad start", "--base-column", "name",
                 "--operator", "1", "--param", "0")  # fmt: skip

    assert refused(*condition) == (
        1, "error 0x8F4C477D: The duplicate detection rule 'Bad start' cannot work: 'Same First "
        "Characters' needs a number of characters of at least 1."
    )  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    assert refused(*condition) == (
        1, "error 0x8F4C477D: La règle de détection des doublons « Bad start » ne peut pas "
        "fonctionner : « Mêmes premiers caractères » demande un nombre de caractères d'au moins 1."
    )  # fmt: skip
    monkeypatch.setenv("LEADGATE_LANG", "en")
    # A rule without a condition cannot be published; an unknown criteria is a usage error.
    code, line = refused("duplicates", "rules", "publish", "Bad start")
    assert (code, line) == (1, "error 0x8F4C477D: The duplicate detection rule 'Bad start' cannot "
                               "work: it has no condition; add one before publishing.")  # fmt: skip
    code, line = refused("duplicates", "rules", "condition", "Bad start", "--base-column", "name",
                         "--operator", "fuzzy")  # fmt: skip
    assert code == 2 and "'fuzzy' is no criteria (known: exact, first-characters" in line
    assert rule_status(cli, "Bad start") == "Unpublished"


def test_a_sixth_published_rule_on_a_table_is_refused(cli, refused):
    for name in ("Contacts with the same first name and last name",
                 "Contacts with the same e-mail address (ignoring case and spaces)",
                 "Contacts with the same phone number (any format)",
                 "Contacts with a similar full name"):  # fmt: skip
        cli("duplicates", "rules", "publish", name)
    cli("duplicates", "rules", "add", "Contacts with the same job title", "--base", "contact")
    cli("duplicates", "rules", "condition", "Contacts with the same job title", "--base-column",
        "jobtitle", "--operator", "exact")  # fmt: skip

    code, line = refused("duplicates", "rules", "publish", "Contacts with the same job title")

    assert code == 1 and line.startswith(
        "error 0x8F4C477C: A table can have at most 5 published duplicate detection rules, and "
        "Contact has them already: "
    ), line
    assert rule_status(cli, "Contacts with the same job title") == "Unpublished"
    cli("duplicates", "rules", "unpublish", "Contacts with a similar full name")
    cli("duplicates", "rules", "publish", "Contacts with the same job title")
    assert rule_status(cli, "Contacts with the same job title") == "Published"


def test_conditions_change_only_while_unpublished_and_a_rule_can_be_deleted(cli, refused):
    name = "Contacts with the same first name and last name"
    cli("duplicates", "rules", "publish", name)

    code, line = refused("duplicates", "rules", "remove-condition", name, "firstname")
    assert (code, line.split(":")[0]) == (1, "error 0x8F4C477E")
    assert cli("duplicates", "rules", "unpublish", name) == f"The rule {name} is unpublished.\n"
    removed = cli("duplicates", "rules", "remove-condition", name, "FIRSTNAME")
    assert removed == (
        f"Removed the condition firstname = firstname (Exact Match) from the rule {name}.\n"
    )
    by_name = {row[0]: row for row in rows(cli("duplicates", "rules", "list"))}
    assert by_name[name][3] == "lastname = lastname (Exact Match)"
    code, line = refused("duplicates", "rules", "remove-condition", name, "firstname")
    assert code == 2 and "no condition of the rule is 'firstname'" in line
    deleted = cli("duplicates", "rules", "delete", name)
    assert deleted.startswith(f"Deleted the rule {name} (")
    assert name not in {row[0] for row in rows(cli("duplicates", "rules", "list"))}


def test_find_prints_the_duplicates_of_a_record_or_says_there_are_none(cli, org, monkeypatch):
    first, second, other = accounts(org, "Contoso Ltd.", "CONTOSO LTD.", "Fabrikam")

    found = rows(cli("duplicates", "find", "account", str(first)))
    assert found == [
        ["account", "CONTOSO LTD.", str(second), "Accounts with the same Account Name"]
    ]
    assert cli("duplicates", "find", "account", str(other)) == "No duplicates found.\n"
    assert cli("duplicates", "find", "account", str(first), "--matching", "contact") == (
        "No duplicates found.\n"
    )
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    assert rows(cli("duplicates", "find", "account", str(first)))[0][3] == (
        "Comptes avec le même nom de compte"
    )
    assert cli("duplicates", "find", "account", str(other)) == "Aucun doublon trouvé.\n"
    # A record two rules find is shown once, with both rules.
    monkeypatch.setenv("LEADGATE_LANG", "en")
    cli("duplicates", "rules", "publish", COMPANY_RULE)
    assert rows(cli("duplicates", "find", "account", str(first))) == [
        [
            "account",
            "CONTOSO LTD.",
            str(second),
            f"Accounts with the same Account Name; {COMPANY_RULE}",
        ]
    ]


# --- leads qualify: the lead form's duplicate warning ----------------------------------------


def totals(org: Organization) -> tuple[int, int, int]:
    return count(org, "account"), count(org, "contact"), count(org, "opportunity")


def test_qualify_warns_of_a_duplicate_account_and_creates_nothing(
    run, org, database_url, monkeypatch
):
    (existing,) = accounts(org, "Contoso")
    lead = new_lead(org, companyname="Contoso")
    before = totals(org)

    code, out, err = run("leads", "qualify", str(lead), "--db", database_url)

    assert code == 1
    assert err.startswith(f"error 0x80040333: {SEED_EN} Possible duplicates: Account 'Contoso'")
    assert rows(out)[0] == ["account", "Contoso", str(existing),
                            "Accounts with the same Account Name"]  # fmt: skip
    assert out.splitlines()[-1] == HINT_EN
    assert totals(org) == before
    assert lead_values(org, lead)["statecode"] == 0
    monkeypatch.setenv("LEADGATE_LANG", "fr")
    code, out, err = run("leads", "qualify", str(lead), "--db", database_url)
    assert code == 1
    assert err.startswith(f"error 0x80040333: {SEED_FR} Doublons possibles : Compte « Contoso »")
    assert rows(out)[0][3] == "Comptes avec le même nom de compte"
    assert out.splitlines()[-1].startswith("Liez un enregistrement existant avec --use-account")
    assert totals(org) == before


def test_use_account_links_the_existing_account_instead_of_creating_one(cli, org):
    (existing,) = accounts(org, "Contoso")
    lead = new_lead(org, companyname="Contoso")
    before = totals(org)

    out = cli("leads", "qualify", str(lead), "--use-account", str(existing))

    assert "Created account" not in out and "Created contact" in out
    record = lead_values(org, lead)
    assert (record["statecode"], record["parentaccountid"].id) == (1, existing)
    assert totals(org) == (before[0], before[1] + 1, before[2] + 1)


def test_continue_creates_new_records_even_if_duplicates_exist(cli, org):
    accounts(org, "Contoso")
    lead = new_lead(org, companyname="Contoso")
    before = totals(org)

    out = cli("leads", "qualify", str(lead), "--continue")

    assert "Created account" in out
    assert totals(org) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert lead_values(org, lead)["statecode"] == 1


def test_a_refused_qualify_leaves_the_lead_unlinked_until_both_are_chosen(
    run, cli, org, system, database_url
):
    (existing,) = accounts(org, "Contoso")
    contact = system.create("contact", firstname="Ada", lastname="Lovelace",
                            emailaddress1="ada@contoso.example")  # fmt: skip
    lead = new_lead(org, companyname="Contoso", emailaddress1="ADA@contoso.example")
    before = totals(org)

    code, out, err = run("leads", "qualify", str(lead), "--use-account", str(existing),
                         "--db", database_url)  # fmt: skip

    assert code == 1 and err.startswith(f"error 0x80040333: {SEED_EN}")
    assert [row[:3] for row in rows(out)[:1]] == [["contact", "Ada Lovelace", str(contact)]]
    assert lead_values(org, lead).get("parentaccountid") is None  # the link was rolled back
    assert totals(org) == before
    cli("leads", "qualify", str(lead), "--use-account", str(existing), "--use-contact",
        str(contact))  # fmt: skip
    record = lead_values(org, lead)
    assert (record["parentaccountid"].id, record["parentcontactid"].id) == (existing, contact)
    assert totals(org) == (before[0], before[1], before[2] + 1)
