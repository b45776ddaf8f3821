"""Duplicate detection: rules, operators, match codes kept by the pipeline, the create/update
refusal and the seed's warning on qualify (REFERENCE §5), on both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, EntityReference, LeadgateError
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.duplicates.rule_messages import (
    PublishDuplicateRuleRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.engine.metadata.store import matchcodes
from leadgate.platform.jobs import JobStatus, run_queued
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import add_user

EXACT, FIRST, LAST, SAME_DATE, SAME_DATE_TIME, CHOICE_LABEL, CHOICE_VALUE = range(7)
EMAIL, PHONE, COMPANY, SIMILAR = 100000000, 100000001, 100000002, 100000003
SHIPPED_PUBLISHED = {
    "Accounts with the same Account Name",
    "Contacts with the same e-mail address",
    "Leads with the same e-mail address",
}


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def a_rule(system, name: str, base: str, conditions, *, matching: str | None = None,
           publish: bool = True, **options: Any) -> uuid.UUID:  # fmt: skip
    """A rule of (base column, matching column, operator[, parameter[, ignore blanks]])."""
    rule = system.create("duplicaterule", name=name, baseentityname=base,
                         matchingentityname=matching or base, **options)  # fmt: skip
    for base_column, matching_column, operator, *rest in conditions:
        system.create(
            "duplicaterulecondition", regardingobjectid=EntityReference("duplicaterule", rule),
            baseattributename=base_column, matchingattributename=matching_column,
            operatorcode=operator, operatorparam=rest[0] if rest else None,
            ignoreblankvalues=rest[1] if len(rest) > 1 else False,
        )  # fmt: skip
    if publish:
        publish_now(system, rule)
    return rule


def publish_now(system, rule: uuid.UUID, batch_size: int | None = None) -> uuid.UUID:
    """PublishDuplicateRule, and its job run here and now (as ``duplicates rules publish``
    does unless a worker takes it first); the job's id."""
    job_id = system.execute(PublishDuplicateRuleRequest(rule, batch_size)).job_id
    outcome = run_queued(system.organization, job_id)
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED, outcome
    return job_id


def only_rule(system, *keep: uuid.UUID) -> None:
    """Unpublish every other rule, so that a test sees what its own rule finds."""
    for rule in system.retrieve_multiple_all("duplicaterule"):
        if rule.id not in keep and rule["statuscode"] != 0:
            system.execute(UnpublishDuplicateRuleRequest(rule.id))


def found(service, table: str, record_id: uuid.UUID | None = None, **values: Any) -> list[str]:
    response = service.execute(RetrieveDuplicatesRequest(Entity(table, record_id, values)))
    return sorted(str(match.name) for match in response.matches)


def codes(org, rule: uuid.UUID) -> int:
    with org.engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(matchcodes).where(matchcodes.c.ruleid == rule)
        ).scalar_one()


# --- the shipped rules --------------------------------------------------------------------


def test_the_platform_rules_are_shipped_with_the_same_ones_published(system):
    rules = {rule["name"]: rule for rule in system.retrieve_multiple_all("duplicaterule")}
    assert {
        "Accounts with the same Account Name", "Accounts with the same e-mail address",
        "Contacts with the same e-mail address",
        "Contacts with the same first name and last name", "Leads with the same e-mail address",
    } <= set(rules)  # fmt: skip
    published = {name for name, rule in rules.items() if rule["statuscode"] == 2}
    assert published == SHIPPED_PUBLISHED
    assert all(rules[name]["statecode"] == 1 for name in published)


def test_a_published_rule_finds_an_account_with_the_same_name_in_any_case(admin):
    admin.create("account", name="Fabrikam Inc.")
    assert found(admin, "account", name="FABRIKAM INC.") == ["Fabrikam Inc."]
    assert found(admin, "account", name="Fabrikam") == []


# --- create and update, only when asked ------------------------------------------------------


def test_create_asking_for_detection_is_refused_with_the_matches_and_writes_nothing(admin, system):
    existing = admin.create("account", name="Northwind Traders")
    before = len(system.retrieve_multiple_all("account"))
    request = CreateRequest(Entity("account", None, {"name": "northwind traders"}),
                            suppress_duplicate_detection=False)  # fmt: skip
    error = refusal(lambda: admin.execute(request))
    assert error.code == "0x80040333"
    assert error.message("en").startswith(
        "A record was not created or updated because a duplicate of the current record "
        "already exists. Possible duplicates: Account 'Northwind Traders' ("
    )
    assert "by the rule 'Accounts with the same Account Name'" in error.message("en")
    assert error.message("fr").startswith(
        "Un enregistrement n'a pas été créé ou mis à jour, car un doublon de l'enregistrement "
        "actif existe déjà. Doublons possibles : Compte « Northwind Traders » ("
    )
    assert "par la règle « Comptes avec le même nom de compte »" in error.message("fr")
    assert error.details["matches"] == [{
        "table": "account", "id": str(existing), "name": "Northwind Traders",
        "ruleid": error.details["matches"][0]["ruleid"],
        "rule": "Accounts with the same Account Name",
        "rule_fr": "Comptes avec le même nom de compte",
    }]  # fmt: skip
    assert len(system.retrieve_multiple_all("account")) == before
    # Not asked (the default, as the Web API without the header): the record is made.
    admin.execute(CreateRequest(Entity("account", None, {"name": "northwind traders"})))
    assert len(system.retrieve_multiple_all("account")) == before + 1


def test_update_asking_for_detection_compares_the_record_as_it_would_be(admin):
    admin.create("account", name="Tailspin Toys")
    other = admin.create("account", name="Wingtip Toys", telephone1="+1 425 555 0100")
    # Changing another column of a record is not a duplicate of itself.
    admin.execute(UpdateRequest(Entity("account", other, {"telephone1": "+1 425 555 0199"}),
                                suppress_duplicate_detection=False))  # fmt: skip
    error = refusal(lambda: admin.execute(UpdateRequest(
        Entity("account", other, {"name": "TAILSPIN TOYS"}), suppress_duplicate_detection=False
    )))  # fmt: skip
    assert error.code == "0x80040333"
    assert admin.retrieve("account", other)["name"] == "Wingtip Toys"


def test_codes_follow_records_through_update_state_change_and_delete(org, admin, system):
    rule = system.retrieve_multiple("duplicaterule", name="Accounts with the same Account Name")[0]
    account = admin.create("account", name="Litware")
    assert found(admin, "account", name="litware") == ["Litware"]
    admin.update(Entity("account", account, name="Litware Labs"))
    assert found(admin, "account", name="litware") == []
    assert found(admin, "account", name="litware labs") == ["Litware Labs"]
    # The shipped rules exclude inactive records.
    admin.execute(SetStateRequest(EntityReference("account", account), 1, 2))
    assert found(admin, "account", name="litware labs") == []
    admin.execute(SetStateRequest(EntityReference("account", account), 0, 1))
    assert found(admin, "account", name="litware labs") == ["Litware Labs"]
    before = codes(org, rule.id)
    admin.delete("account", account)
    assert found(admin, "account", name="litware labs") == []
    assert codes(org, rule.id) == before - 1


def test_a_stored_record_is_not_its_own_duplicate(admin):
    account = admin.create("account", name="Proseware")
    assert found(admin, "account", account) == []
    admin.create("account", name="PROSEWARE")
    assert found(admin, "account", account) == ["PROSEWARE"]


# --- operators ---------------------------------------------------------------------------


WIDGET_CASES = [
    # operator, parameter, column, stored, same, different
    (EXACT, None, "new_code", "AB-1", "ab-1", "AB-2"),
    (FIRST, 3, "new_code", "ABC-1", "abc-9", "ABD-1"),
    (LAST, 2, "new_code", "X-77", "Y-77", "X-78"),
    (SAME_DATE, None, "new_due", dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC),
     dt.datetime(2026, 5, 1, 17, 0, tzinfo=dt.UTC), dt.datetime(2026, 5, 2, 9, 30, tzinfo=dt.UTC)),
    (SAME_DATE_TIME, None, "new_due", dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC),
     dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, 9, 31, tzinfo=dt.UTC)),
    (CHOICE_LABEL, None, "new_color", 1, 1, 2),
    (CHOICE_VALUE, None, "new_color", 3, 3, 1),
]  # fmt: skip


@pytest.mark.parametrize(("operator", "parameter", "column", "stored", "same", "different"),
                         WIDGET_CASES, ids=[str(case[0]) for case in WIDGET_CASES])  # fmt: skip
def test_each_platform_operator(system, operator, parameter, column, stored, same, different):
    a_rule(system, f"Widgets {operator}", "new_widget", [(column, column, operator, parameter)])
    system.create("new_widget", new_name="Stored", new_size="M", **{column: stored})
    assert found(system, "new_widget", **{column: same}) == ["Stored"]
    assert found(system, "new_widget", **{column: different}) == []
    assert found(system, "new_widget", **{column: None}) == []  # one condition: blanks ignored


def test_case_sensitive_rules_tell_case_apart(system):
    a_rule(system, "Codes, case-sensitive", "new_widget", [("new_code", "new_code", EXACT)],
           iscasesensitive=True)  # fmt: skip
    system.create("new_widget", new_name="Stored", new_size="M", new_code="Ab")
    assert found(system, "new_widget", new_code="Ab") == ["Stored"]
    assert found(system, "new_widget", new_code="AB") == []


def test_blank_values_match_each_other_unless_ignored(system):
    a_rule(system, "Code and count", "new_widget",
           [("new_code", "new_code", EXACT), ("new_count", "new_count", EXACT)])  # fmt: skip
    a_rule(
        system,
        "Code and count, blanks ignored",
        "new_widget",
        [("new_code", "new_code", EXACT), ("new_notes", "new_notes", EXACT, None, True)],
    )
    system.create("new_widget", new_name="No count", new_size="M", new_code="Q1")
    response = system.execute(RetrieveDuplicatesRequest(Entity("new_widget", None,
                                                               {"new_code": "q1"})))  # fmt: skip
    assert {match.rule.en for match in response.matches} == {"Code and count"}
    assert found(system, "new_widget", new_code="q1", new_count=4) == []


@pytest.mark.parametrize(
    ("operator", "parameter", "column", "stored", "same", "different"),
    [
        (EMAIL, None, "emailaddress1", "Pat@Contoso.example", "  pat@contoso.EXAMPLE ",
         "pat@contoso.example.org"),
        (PHONE, None, "telephone1", "(212) 345-6789", "+1 212.345.6789", "(212) 345-6780"),
        (PHONE, None, "telephone1", "+33 6 12 34 56 78", "0033612345678", "+33 6 12 34 56 79"),
        (COMPANY, None, "name", "Société Générale S.A.", "the societe generale", "Générale"),
        (COMPANY, None, "name", "Contoso, Ltd.", "CONTOSO INC", "Contoso Pharma"),
        (SIMILAR, 85, "name", "Alpine Ski House", "Alpine Ski Hosue", "Alpine Ski Resort"),
    ],
    ids=["email", "phone US", "phone FR", "company accents", "company suffix", "similar"],
)  # fmt: skip
def test_each_normalized_operator(admin, system, operator, parameter, column, stored, same,
                                  different):  # fmt: skip
    rule = a_rule(system, f"Accounts {operator}", "account",
                  [(column, column, operator, parameter)])  # fmt: skip
    only_rule(system, rule)
    admin.create("account", name="Stored" if column != "name" else stored,
                 **({column: stored} if column != "name" else {}))  # fmt: skip
    name = "Stored" if column != "name" else stored
    assert found(admin, "account", **{column: same}) == [name]
    assert found(admin, "account", **{column: different}) == []


def test_phone_numbers_without_a_country_code_are_read_in_the_organization_country(admin, system):
    rule = a_rule(system, "Account phones", "account", [("telephone1", "telephone1", PHONE)])
    only_rule(system, rule)
    admin.create("account", name="Paris office", telephone1="+33 1 42 68 53 00")
    assert found(admin, "account", telephone1="01 42 68 53 00") == []  # read as a US number
    organization = system.retrieve_multiple_all("organization")[0]
    system.update(Entity("organization", organization.id, defaultcountrycode="FR"))
    system.execute(UnpublishDuplicateRuleRequest(rule))
    publish_now(system, rule)
    assert found(admin, "account", telephone1="01 42 68 53 00") == ["Paris office"]


def test_a_rule_compares_a_lead_with_contacts(admin, system):
    a_rule(system, "Leads against contacts", "lead",
           [("emailaddress1", "emailaddress1", EMAIL)], matching="contact")  # fmt: skip
    admin.create("contact", firstname="Dana", lastname="Birk", emailaddress1="dana@birk.example")
    response = admin.execute(RetrieveDuplicatesRequest(
        Entity("lead", None, {"emailaddress1": "DANA@birk.example"}), matching_entity_name="contact"
    ))  # fmt: skip
    assert [(m.table, m.name) for m in response.matches] == [("contact", "Dana Birk")]


# --- the rules' own rules ----------------------------------------------------------------------


def test_a_condition_that_cannot_work_is_refused_in_both_languages(system):
    rule = a_rule(system, "Bad", "account", [], publish=False)
    error = refusal(lambda: system.create(
        "duplicaterulecondition", regardingobjectid=EntityReference("duplicaterule", rule),
        baseattributename="name", matchingattributename="name", operatorcode=FIRST,
        operatorparam=0,
    ))  # fmt: skip
    assert error.code == "0x8F4C477D"
    assert error.message("en") == (
        "The duplicate detection rule 'Bad' cannot work: 'Same First Characters' needs a "
        "number of characters of at least 1."
    )
    assert error.message("fr") == (
        "La règle de détection des doublons « Bad » ne peut pas fonctionner : « Mêmes premiers "
        "caractères » demande un nombre de caractères d'au moins 1."
    )
    error = refusal(lambda: system.create(
        "duplicaterulecondition", regardingobjectid=EntityReference("duplicaterule", rule),
        baseattributename="name", matchingattributename="nope", operatorcode=EXACT,
    ))  # fmt: skip
    assert error.message("en").endswith("Account has no column 'nope'.")
    error = refusal(lambda: system.execute(PublishDuplicateRuleRequest(rule)))
    assert error.message("en").endswith("it has no condition; add one before publishing.")


def test_at_most_five_published_rules_per_table(system):
    published = len([r for r in system.retrieve_multiple_all("duplicaterule")
                     if r["baseentityname"] == "account" and r["statuscode"] == 2])  # fmt: skip
    for index in range(5 - published):
        a_rule(system, f"Account rule {index}", "account", [("name", "name", FIRST, index + 1)])
    sixth = a_rule(system, "One too many", "account", [("name", "name", LAST, 2)], publish=False)
    error = refusal(lambda: system.execute(PublishDuplicateRuleRequest(sixth)))
    assert error.code == "0x8F4C477C"
    assert error.message("en").startswith(
        "A table can have at most 5 published duplicate detection rules, and Account has them "
        "already: "
    )
    assert error.message("fr").startswith(
        "Une table peut avoir au plus 5 règles de détection des doublons publiées, et Compte "
        "les a déjà : "
    )


def test_a_published_rule_keeps_its_conditions_until_unpublished(org, system):
    rule = a_rule(system, "Codes", "new_widget", [("new_code", "new_code", EXACT)])
    system.create("new_widget", new_name="Stored", new_size="M", new_code="K")
    condition = system.retrieve_multiple("duplicaterulecondition",
                                         regardingobjectid=rule)[0]  # fmt: skip
    change = Entity("duplicaterulecondition", condition.id, operatorcode=FIRST, operatorparam=1)
    error = refusal(lambda: system.update(change))
    assert error.code == "0x8F4C477E"
    assert error.message("en") == (
        "The duplicate detection rule 'Codes' is Published: unpublish it before changing its "
        "tables or conditions."
    )
    system.update(Entity("duplicaterule", rule, description="Renaming is fine"))
    system.execute(UnpublishDuplicateRuleRequest(rule))
    assert codes(org, rule) == 0
    system.update(change)
    publish_now(system, rule)
    assert codes(org, rule) == 1
    system.delete("duplicaterule", rule)
    assert codes(org, rule) == 0


def test_a_check_reads_the_matching_table_only_by_key(org, admin):
    for index in range(20):
        admin.create("account", name=f"Scan {index}")
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()).lower())

    sa.event.listen(org.engine, "before_cursor_execute", remember)
    try:
        assert found(admin, "account", name="scan 7") == ["Scan 7"]
    finally:
        sa.event.remove(org.engine, "before_cursor_execute", remember)
    reads = [s for s in statements if " from account" in s]
    assert reads, statements
    for statement in reads:
        assert "account.accountid in" in statement, statement
    lookups = [s for s in statements if "from lg_matchcode" in s]
    # One indexed lookup for all the rules: by rule and code, the index's own columns.
    assert len(lookups) == 1 and "lg_matchcode.ruleid =" in lookups[0]
    assert "lg_matchcode.code in" in lookups[0]


def test_users_are_shown_only_the_duplicates_they_may_read(org, admin, system):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    branch = system.create("businessunit", name="Branch", parentbusinessunitid=root.to_reference())
    seller = add_user(system, "seller@dup.example", role="Salesperson",
                      unit=EntityReference("businessunit", branch))  # fmt: skip
    other = add_user(system, "other@dup.example", role="Salesperson")
    org.service(other).create("account", name="Hidden Duplicate")
    admin.create("account", name="Hidden Duplicate")
    mine = org.service(seller)
    assert found(mine, "account", name="hidden duplicate") == []  # reads its own unit's
    mine.create("account", name="HIDDEN duplicate")
    assert found(mine, "account", name="hidden duplicate") == ["HIDDEN duplicate"]
    assert found(admin, "account", name="hidden duplicate") == [
        "HIDDEN duplicate", "Hidden Duplicate", "Hidden Duplicate"]  # fmt: skip


# --- the seed's warning on qualify ---------------------------------------------------------------


def a_lead(service, **values) -> uuid.UUID:
    values = {"subject": "12 seats", "firstname": "Ravi", "lastname": "Kumar",
              "companyname": "Blue Yonder Airlines", "emailaddress1": "ravi@blueyonder.example",
              **values}  # fmt: skip
    return service.create("lead", values)


def counts(system) -> dict[str, int]:
    return {table: len(system.retrieve_multiple_all(table))
            for table in ("account", "contact", "opportunity")}  # fmt: skip


def qualify(service, lead: uuid.UUID, **options: Any):
    return service.execute(QualifyLeadRequest(EntityReference("lead", lead), **options))


def test_qualifying_from_the_form_warns_of_a_matching_account_and_creates_nothing(admin, system):
    existing = admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin)
    before = counts(system)
    error = refusal(lambda: qualify(admin, lead, suppress_duplicate_detection=False))
    assert error.code == "0x80040333"
    assert error.message("en").startswith(
        "There might already be a match for this account or contact. If so, please select it. "
        "Possible duplicates: Account 'Blue Yonder Airlines' ("
    )
    assert "set it as the lead's Existing Account (parentaccountid)" in error.message("en")
    assert error.message("fr").startswith(
        "Il peut déjà y avoir une correspondance pour ce compte ou ce contact. Si c'est le cas, "
        "sélectionnez-le. Doublons possibles : Compte « Blue Yonder Airlines » ("
    )
    assert [match["id"] for match in error.details["matches"]] == [str(existing)]
    assert counts(system) == before
    assert admin.retrieve("lead", lead)["statecode"] == 0
    # Select it: the existing account is linked, not created.
    admin.update(Entity("lead", lead, parentaccountid=EntityReference("account", existing)))
    created = qualify(admin, lead, suppress_duplicate_detection=False).created_entities
    assert [ref.logical_name for ref in created] == ["contact", "opportunity"]
    assert admin.retrieve("lead", lead)["parentaccountid"].id == existing


def test_the_warning_names_a_matching_contact_and_continue_creates_anyway(admin, system):
    admin.create("contact", firstname="R.", lastname="Kumar",
                 emailaddress1="ravi@blueyonder.example")  # fmt: skip
    lead = a_lead(admin, companyname="Brand New Airline")
    error = refusal(lambda: qualify(admin, lead, suppress_duplicate_detection=False))
    assert [(m["table"], m["rule"]) for m in error.details["matches"]] == [
        ("contact", "Contacts with the same e-mail address")
    ]
    before = counts(system)
    created = qualify(admin, lead, suppress_duplicate_detection=True).created_entities  # Continue
    assert len(created) == 3
    assert counts(system) == {table: count + 1 for table, count in before.items()}


def test_bulk_qualification_does_not_check_by_design(admin, system):
    admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin)
    assert len(qualify(admin, lead).created_entities) == 3  # the grid's path: the default


def test_values_given_to_a_check_are_read_as_create_reads_them(system):
    a_rule(system, "Due the same day", "new_widget", [("new_due", "new_due", SAME_DATE)])
    system.create("new_widget", new_name="Due", new_size="M",
                  new_due=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC))  # fmt: skip
    assert found(system, "new_widget", new_due="2026-12-01T15:00:00Z") == ["Due"]
    error = refusal(lambda: found(system, "new_widget", new_due="the first of December"))
    assert error.code == "0x80040203"  # a coded refusal, not a crash


def test_one_rule_with_many_candidates_does_not_push_out_another_rules_match(system, monkeypatch):
    """Found by the benchmark at a million records: a crowded blocking key took the whole
    candidate budget and the exact rule's match was lost."""
    from leadgate.platform.duplicates import matchcodes as duplicates

    monkeypatch.setattr(duplicates, "CANDIDATE_LIMIT", 3)
    monkeypatch.setattr(duplicates, "_lookups", {})
    crowd = a_rule(system, "Same first characters", "new_widget",
                   [("new_code", "new_code", FIRST, 2)])  # fmt: skip
    exact = a_rule(system, "Same notes", "new_widget", [("new_notes", "new_notes", EXACT)])
    for index in range(10):
        system.create("new_widget", new_name=f"Crowd {index}", new_size="M", new_code=f"ZZ{index}")
    system.create("new_widget", new_name="The one", new_size="M", new_code="AB",
                  new_notes="unique note")  # fmt: skip
    response = system.execute(
        RetrieveDuplicatesRequest(
            Entity("new_widget", None, {"new_code": "ZZ-new", "new_notes": "UNIQUE NOTE"})
        )
    )
    by_rule = {rule: [m.name for m in response.matches if m.rule_id == rule]
               for rule in (crowd, exact)}  # fmt: skip
    assert by_rule[exact] == ["The one"]
    assert len(by_rule[crowd]) == 3  # the crowded rule keeps to its own budget
