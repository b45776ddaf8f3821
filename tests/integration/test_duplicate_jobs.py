"""PublishDuplicateRule and BulkDetectDuplicates as system jobs (REFERENCE §5), on both
databases: the same match codes as publishing in one transaction, changes made while a rule
is publishing, jobs that lose their lease or fail after their first batch and run again
without repeating anything, the pairs a detection finds, who may read them, and the coded
refusals in English and French."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, EntityReference, LeadgateError
from leadgate.platform.duplicates import rule_messages
from leadgate.platform.duplicates.bulk import (
    BulkDetectDuplicatesRequest,
    DetectDuplicatesBatchRequest,
)
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.duplicates.rule_messages import (
    PublishDuplicateRuleBatchRequest,
    PublishDuplicateRuleRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine.metadata.store import matchcodes
from leadgate.platform.engine.query import ConditionExpression, FilterExpression, QueryExpression
from leadgate.platform.jobs import (
    JobContext,
    JobStatus,
    RetryJobRequest,
    claim_next,
    run_job,
    run_queued,
    runner,
)
from leadgate.platform.jobs import errors as job_errors
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.state import SetStateRequest
from tests.conftest import add_user
from tests.integration.test_duplicates import EXACT, PHONE, a_rule, only_rule, refusal

PUBLISHING, PUBLISHED = 1, 2


def key(n: int) -> uuid.UUID:
    """Record ids in a known order: publishing and detection go through records by key."""
    return uuid.UUID(int=n << 96 | 0x4000_8000_0000_0000_0000)


def account(service, n: int, name: str, phone: str | None = None) -> uuid.UUID:
    values: dict[str, Any] = {"name": name}
    if phone is not None:
        values["telephone1"] = phone
    return service.execute(CreateRequest(Entity("account", key(n), values))).id


def code_rows(org, rule: uuid.UUID) -> set[tuple[Any, ...]]:
    with org.engine.connect() as connection:
        return {
            (row.recordid, row.code, row.fuzzy)
            for row in connection.execute(sa.select(matchcodes).where(matchcodes.c.ruleid == rule))
        }


def published_in_one_transaction(org, system, rule: uuid.UUID) -> set[tuple[Any, ...]]:
    """The codes the synchronous path computes (SetState to Published, as a solution's rules
    are published): unpublished first, so every code is computed afresh."""
    system.execute(UnpublishDuplicateRuleRequest(rule))
    assert code_rows(org, rule) == set()
    system.execute(SetStateRequest(EntityReference("duplicaterule", rule), 1, PUBLISHED))
    return code_rows(org, rule)


class Interrupted(JobContext):
    """A job's context that does something once, after its first checkpoint committed."""

    after_first: Any = None
    checkpoints = 0

    def checkpoint(self, value: Any, *requests: Any) -> tuple[Any, ...]:
        responses = super().checkpoint(value, *requests)
        Interrupted.checkpoints += 1
        if Interrupted.checkpoints == 1 and Interrupted.after_first is not None:
            Interrupted.after_first(self)
        return responses


@pytest.fixture
def interrupted(monkeypatch):
    """Jobs run from now on get an Interrupted context; set ``after_first``."""
    monkeypatch.setattr(runner, "JobContext", Interrupted)
    monkeypatch.setattr(Interrupted, "checkpoints", 0)
    monkeypatch.setattr(Interrupted, "after_first", None)
    return Interrupted


def phone_rule(system, name: str = "Phones") -> uuid.UUID:
    rule = a_rule(system, name, "account", [("telephone1", "telephone1", PHONE)],
                  publish=False, excludeinactiverecords=True)  # fmt: skip
    only_rule(system, rule)
    return rule


# --- publishing -------------------------------------------------------------------------------


def test_publishing_as_a_job_gives_the_codes_of_publishing_in_one_transaction(org, system, admin):
    for n in range(1, 12):
        account(admin, n, f"Firm {n % 4}", f"+1 212 555 01{n % 5:02}" if n % 3 else None)
    rule = a_rule(system, "Name and phone", "account",
                  [("name", "name", EXACT), ("telephone1", "telephone1", PHONE)],
                  publish=False)  # fmt: skip

    job_id = system.execute(PublishDuplicateRuleRequest(rule, batch_size=4)).job_id

    assert system.retrieve("duplicaterule", rule)["statuscode"] == PUBLISHING
    job = system.retrieve("asyncoperation", job_id)
    assert (job["kind"], job["operationtype"], job["regardingobjectid"]) == (
        "duplicates.publish", 100000002, rule,
    )  # fmt: skip
    assert run_queued(org, job_id).status is JobStatus.SUCCEEDED
    assert system.retrieve("duplicaterule", rule)["statuscode"] == PUBLISHED
    assert json.loads(system.retrieve("asyncoperation", job_id)["checkpoint"]) == {
        "batches": 3, "records": 11,
    }  # fmt: skip
    by_job = code_rows(org, rule)
    # Two conditions: a blank phone is a value too (REFERENCE §5), so every account has codes.
    assert len({record for record, _, _ in by_job}) == 11
    assert published_in_one_transaction(org, system, rule) == by_job


def test_changes_made_while_a_rule_publishes_end_with_the_right_codes(
    org, system, admin, interrupted
):
    for n in range(10, 19):
        account(admin, n, f"Firm {n}", f"+1 212 555 01{n}")
    rule = phone_rule(system)

    def change_records(context: JobContext) -> None:
        # The first batch (keys 10-12) is committed; the others are not done yet.
        assert len(code_rows(org, rule)) == 3
        account(admin, 1, "Before the cursor", "(646) 555-0101")  # never in a batch
        account(admin, 99, "After the cursor", "(646) 555-0199")  # in the last batch
        admin.update(Entity("account", key(11), telephone1="+1 718 555 0111"))  # done
        admin.update(Entity("account", key(15), telephone1="+1 718 555 0115"))  # to do
        admin.delete("account", key(10))  # done
        admin.set_state("account", key(12), 1)  # done, now inactive: excluded
        admin.execute(UpdateRequest(Entity("account", key(16), name="Renamed")))  # no codes

    interrupted.after_first = change_records
    job_id = system.execute(PublishDuplicateRuleRequest(rule, batch_size=3)).job_id
    assert run_queued(org, job_id).status is JobStatus.SUCCEEDED

    by_job = code_rows(org, rule)
    assert {record for record, _, _ in by_job} == {
        key(n) for n in (1, 11, 13, 14, 15, 16, 17, 18, 99)
    }
    assert published_in_one_transaction(org, system, rule) == by_job
    found = admin.execute(RetrieveDuplicatesRequest(
        Entity("account", None, {"telephone1": "718-555-0115"})
    ))  # fmt: skip
    assert [m.id for m in found.matches] == [key(15)]


def test_a_publishing_job_that_lost_its_lease_is_finished_by_another_worker(
    org, system, admin, interrupted
):
    for n in range(10, 20):
        account(admin, n, f"Firm {n}", f"+1 212 555 01{n}")
    rule = phone_rule(system)
    job_id = system.execute(PublishDuplicateRuleRequest(rule, batch_size=3)).job_id
    expired = dt.timedelta(seconds=-1)  # the first worker's lease ends at once
    first = claim_next(org, "frozen", expired, job_id=job_id)
    taken: list[Any] = []

    def rescue(_: Any) -> None:
        """After its first batch the worker freezes (kill -9, a long pause); another takes
        over. It polls, as workers do: on PostgreSQL a claim skips the job while the frozen
        worker's lease renewal holds its row (every 50 ms here)."""
        for _attempt in range(200):
            claimed = claim_next(org, "rescuer", job_id=job_id)
            if claimed is not None:
                taken.append(claimed)
                return
            time.sleep(0.01)

    interrupted.after_first = rescue

    lost = run_job(org, first, "frozen", expired)

    assert lost.status is None and lost.error.kind is job_errors.JOB_LEASE_LOST
    assert len(code_rows(org, rule)) == 3  # its first batch only: nothing after the takeover
    assert system.retrieve("duplicaterule", rule)["statuscode"] == PUBLISHING
    assert run_job(org, taken[0], "rescuer").status is JobStatus.SUCCEEDED
    # The rescuer went on after the first batch: three more batches, not four.
    assert json.loads(system.retrieve("asyncoperation", job_id)["checkpoint"]) == {
        "batches": 4, "records": 10,
    }  # fmt: skip
    by_job = code_rows(org, rule)
    assert len(by_job) == 10
    assert published_in_one_transaction(org, system, rule) == by_job


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one writer
def test_an_update_racing_a_batch_waits_for_it_then_replaces_its_codes(
    org, system, admin, monkeypatch
):
    for n in range(10, 14):
        account(admin, n, f"Firm {n}", f"+1 212 555 01{n}")
    rule = phone_rule(system)
    system.execute(PublishDuplicateRuleRequest(rule))  # Publishing; its job is not run
    inside, release = threading.Event(), threading.Event()
    original = rule_messages.publish_batch

    def held(unit, rule, limit):  # the batch read and wrote its codes; it has not committed
        done = original(unit, rule, limit)
        inside.set()
        release.wait(10)
        return done

    monkeypatch.setattr(rule_messages, "publish_batch", held)
    batch = threading.Thread(
        target=lambda: system.execute(PublishDuplicateRuleBatchRequest(rule, 10))
    )
    batch.start()
    assert inside.wait(10)
    change = Entity("account", key(11), telephone1="+1 718 555 0111")
    update = threading.Thread(target=lambda: admin.update(change))
    update.start()
    update.join(0.5)
    assert update.is_alive()  # the batch holds the rows it read (FOR SHARE) until it commits
    release.set()
    batch.join(10)
    update.join(10)

    assert system.retrieve("duplicaterule", rule)["statuscode"] == PUBLISHED
    by_batch = code_rows(org, rule)  # the update replaced the code the batch wrote
    assert published_in_one_transaction(org, system, rule) == by_batch


def test_publishing_again_returns_the_running_job_and_unpublishing_cancels_it(org, system):
    rule = phone_rule(system)
    job_id = system.execute(PublishDuplicateRuleRequest(rule)).job_id
    assert system.execute(PublishDuplicateRuleRequest(rule)).job_id == job_id

    system.execute(UnpublishDuplicateRuleRequest(rule))

    job = system.retrieve("asyncoperation", job_id)
    assert (job["statuscode"], job["errorcode"]) == (32, "0x8F4C47E5")  # Canceled
    assert system.retrieve("duplicaterule", rule)["statuscode"] == 0
    assert run_queued(org, job_id) is None  # nothing left to run


# --- bulk detection -----------------------------------------------------------------------------


def expected_pairs(service, table: str, ids) -> set[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """The oracle: RetrieveDuplicates for each record, as the same user."""
    pairs = set()
    for record in ids:
        response = service.execute(RetrieveDuplicatesRequest(Entity(table, record)))
        pairs |= {(record, match.id, match.rule_id) for match in response.matches}
    return pairs


def stored_pairs(service, job_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    return [
        (row["baserecordid"], row["duplicaterecordid"], row["duplicateruleid"].id)
        for row in service.retrieve_multiple("duplicaterecord", asyncoperationid=job_id)
    ]


def detection_world(admin) -> list[uuid.UUID]:
    names = ["Contoso", "Contoso", "Fabrikam", "Contoso", "Litware", "Fabrikam", "Tailspin"]
    return [account(admin, n, name, "+1 212 555 0100" if n % 3 == 0 else None)
            for n, name in enumerate(names, start=1)]  # fmt: skip


def test_bulk_detection_stores_the_pairs_retrieve_duplicates_finds(org, system, admin):
    ids = detection_world(admin)
    # Published beside the shipped rule "Accounts with the same Account Name".
    a_rule(system, "Phones", "account", [("telephone1", "telephone1", PHONE)])
    criteria = FilterExpression(conditions=(ConditionExpression.make("name", "ne", "Tailspin"),))

    job_id = admin.execute(BulkDetectDuplicatesRequest(
        QueryExpression("account", criteria=criteria), "Accounts", batch_size=2
    )).job_id  # fmt: skip
    assert run_queued(org, job_id).status is JobStatus.SUCCEEDED

    stored = stored_pairs(admin, job_id)
    expected = expected_pairs(admin, "account", ids[:-1])
    assert sorted(stored) == sorted(expected) and len(expected) == 10
    job = admin.retrieve("asyncoperation", job_id)
    assert (job["name"], job["operationtype"]) == ("Accounts", 8)
    summary = json.loads(job["checkpoint"])
    assert (summary["records"], summary["pairs"], summary["duplicated"]) == (6, 10, 5)


def test_a_detection_that_failed_after_its_first_batch_resumes_and_stores_no_pair_twice(
    org, system, admin, interrupted
):
    ids = detection_world(admin)

    def fail(_context: JobContext) -> None:
        raise RuntimeError("the worker died")

    interrupted.after_first = fail
    job_id = admin.execute(BulkDetectDuplicatesRequest(QueryExpression("account"),
                                                       batch_size=2)).job_id  # fmt: skip
    failed = run_queued(org, job_id)
    assert failed.status is JobStatus.FAILED
    first = stored_pairs(admin, job_id)
    assert {base for base, _, _ in first} == {ids[0], ids[1]}  # the first batch, committed
    admin.execute(RetryJobRequest(job_id))
    assert run_queued(org, job_id).status is JobStatus.SUCCEEDED

    stored = stored_pairs(admin, job_id)
    assert len(stored) == len(set(stored)) == 8  # Contoso x3: 6, Fabrikam x2: 2
    assert set(stored) == expected_pairs(admin, "account", ids)
    assert set(first) <= set(stored)
    summary = json.loads(admin.retrieve("asyncoperation", job_id)["checkpoint"])
    assert (summary["records"], summary["pairs"], summary["duplicated"]) == (7, 8, 5)


def test_a_user_detects_among_what_they_read_and_reads_only_their_own_pairs(org, system, admin):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    unit = system.create("businessunit", name="Branch", parentbusinessunitid=root.to_reference())
    sam = org.service(add_user(system, "sam@test.example", role="Salesperson",
                               unit=EntityReference("businessunit", unit)))  # fmt: skip
    bob = org.service(add_user(system, "bob@test.example", role="Salesperson"))
    mine = [account(sam, n, "Contoso") for n in (1, 2)]
    account(admin, 3, "Contoso")  # in the root unit: Sam does not read it

    job_id = sam.execute(BulkDetectDuplicatesRequest(QueryExpression("account"))).job_id
    assert run_queued(org, job_id).status is JobStatus.SUCCEEDED

    pairs = stored_pairs(sam, job_id)
    assert sorted(pairs) == sorted((a, b, pairs[0][2]) for a in mine for b in mine if a != b)
    assert all(row["ownerid"].id == sam.user_id
               for row in sam.retrieve_multiple_all("duplicaterecord"))  # fmt: skip
    assert bob.retrieve_multiple_all("duplicaterecord") == []
    assert len(stored_pairs(admin, job_id)) == 2  # a System Administrator reads them all
    error = refusal(lambda: bob.execute(DetectDuplicatesBatchRequest(job_id, "account", (key(3),))))
    assert error.code == "0x8F4C47FF"
    assert error.message("en") == (
        f"The system job {job_id} is not a duplicate detection job run by this user: "
        "duplicates are stored only by the job that found them."
    )
    assert error.message("fr") == (
        f"La tâche système {job_id} n'est pas une tâche de détection des doublons lancée par "
        "cet utilisateur : seuls les doublons trouvés par la tâche elle-même y sont enregistrés."
    )


# --- refusals ---------------------------------------------------------------------------------


def test_publishing_refusals_are_coded_in_english_and_french(org, system):
    error = refusal(lambda: system.execute(PublishDuplicateRuleRequest(key(7))))
    assert error.code == "0x8F4C477F"
    assert error.message("en") == (
        f"No duplicate detection rule is named or has the id '{key(7)}'."
    )
    (shipped,) = system.retrieve_multiple("duplicaterule",
                                          name="Accounts with the same Account Name")  # fmt: skip
    error = refusal(lambda: system.execute(PublishDuplicateRuleRequest(shipped.id)))
    assert error.code == "0x8F4C47FC"
    assert error.message("en") == (
        "The duplicate detection rule 'Accounts with the same Account Name' is already "
        "published: its match codes are current. To compute them again, unpublish it, then "
        "publish it."
    )
    assert error.message("fr") == (
        "La règle de détection des doublons « Comptes avec le même nom de compte » est déjà "
        "publiée : ses codes de correspondance sont à jour. Pour les recalculer, annulez sa "
        "publication, puis publiez-la."
    )
    rule = phone_rule(system)
    error = refusal(lambda: system.execute(PublishDuplicateRuleBatchRequest(rule, 10)))
    assert error.code == "0x8F4C47FD"
    assert error.message("en") == (
        "The duplicate detection rule 'Phones' is Unpublished: it was unpublished while it was "
        "being published, so publishing stopped. Publish it again to start over."
    )
    assert error.message("fr") == (
        "La règle de détection des doublons « Phones » est à l'état Non publiée : sa "
        "publication a été annulée pendant qu'elle était en cours, la publication s'est donc "
        "arrêtée. Publiez-la de nouveau pour recommencer."
    )


def test_a_publishing_job_whose_rule_was_unpublished_fails_with_a_coded_message(org, system):
    rule = phone_rule(system)
    job_id = system.execute(PublishDuplicateRuleRequest(rule)).job_id
    # Unpublished behind the job's back (a SetState, not UnpublishDuplicateRule, which would
    # cancel the job): the job fails with the reason, in both languages.
    system.execute(SetStateRequest(EntityReference("duplicaterule", rule), 0, 0))
    assert run_queued(org, job_id).status is JobStatus.FAILED
    job = system.retrieve("asyncoperation", job_id)
    assert job["errorcode"] == "0x8F4C47FD"
    assert job["message"].startswith("The duplicate detection rule 'Phones' is Unpublished")
    assert job["message_fr"].startswith("La règle de détection des doublons « Phones » est")


def test_detection_refusals_are_coded_in_english_and_french(org, system):
    only_rule(system)  # every rule unpublished
    error = refusal(lambda: system.execute(BulkDetectDuplicatesRequest(QueryExpression("lead"))))
    assert error.code == "0x8F4C47FE"
    assert error.message("en") == (
        "No published duplicate detection rule checks Lead records, so there is nothing to "
        "detect duplicates with. Publish one first (rules of Lead: Leads with the same e-mail "
        "address)."
    )
    assert error.message("fr") == (
        "Aucune règle de détection des doublons publiée ne vérifie les enregistrements Prospect : "
        "il n'y a donc rien avec quoi détecter des doublons. Publiez-en une d'abord (règles de "
        "Prospect : Prospects avec la même adresse e-mail)."
    )
    error = refusal(lambda: system.execute(BulkDetectDuplicatesRequest(QueryExpression(
        "account", criteria=FilterExpression(conditions=(
            ConditionExpression.make("nope", "eq", 1),))))))  # fmt: skip
    assert error.kind is not None and "nope" in error.message("en")


def test_without_the_privileges_publishing_and_detection_are_refused(org, system):
    nobody = org.service(add_user(system, "nobody@test.example", role=None))
    sam = org.service(add_user(system, "sam@test.example", role="Salesperson"))
    rule = phone_rule(system)
    for service, request in (
        (sam, PublishDuplicateRuleRequest(rule)),
        (nobody, BulkDetectDuplicatesRequest(QueryExpression("account"))),
    ):
        with pytest.raises(LeadgateError) as refused:
            service.execute(request)
        assert refused.value.kind is engine_errors.PRIVILEGE_DENIED
        assert refused.value.code == "0x80040220"
        privilege = "prvWriteDuplicateRule" if service is sam else "prvReadAccount"
        assert privilege in refused.value.message("en")
        assert privilege in refused.value.message("fr")
    assert system.retrieve("duplicaterule", rule)["statuscode"] == 0  # nothing happened
    assert system.retrieve_multiple_all("asyncoperation") == []
