"""Optimistic concurrency: versionnumber refuses stale writes; of two racing writers, one wins."""

from __future__ import annotations

import threading
import time

import pytest

from leadgate.platform import DeleteRequest, Entity, EntityReference, LeadgateError
from leadgate.platform.records.crud import ConcurrencyBehavior


def widget(admin):
    return admin.create("new_widget", new_name="Shared", new_size="M", new_count=1)


def version_of(admin, widget_id) -> int:
    return admin.retrieve("new_widget", widget_id)["versionnumber"]


def test_a_stale_version_is_refused_and_changes_nothing(admin):
    widget_id = widget(admin)
    old = version_of(admin, widget_id)
    admin.update(Entity("new_widget", widget_id, new_count=2))
    new = version_of(admin, widget_id)
    with pytest.raises(LeadgateError) as refused:
        admin.update(Entity("new_widget", widget_id, new_count=3), if_version=old)
    error = refused.value
    assert error.code == "0x80060882"
    assert error.message("en").startswith(
        "The version of the existing record doesn't match the RowVersion property provided"
    )
    assert f"version {old} given, {new} stored" in error.message("en")
    assert f"version {old} fournie, {new} enregistrée" in error.message("fr")
    assert admin.retrieve("new_widget", widget_id)["new_count"] == 2


def test_the_current_version_is_accepted(admin):
    widget_id = widget(admin)
    old = version_of(admin, widget_id)
    admin.update(Entity("new_widget", widget_id, new_count=5), if_version=old)
    record = admin.retrieve("new_widget", widget_id)
    assert record["new_count"] == 5
    assert record["versionnumber"] > old


def test_delete_with_a_stale_version_is_refused(admin):
    widget_id = widget(admin)
    old = version_of(admin, widget_id)
    admin.update(Entity("new_widget", widget_id, new_count=2))
    with pytest.raises(LeadgateError) as refused:
        admin.execute(
            DeleteRequest(
                EntityReference("new_widget", widget_id),
                ConcurrencyBehavior.IF_ROW_VERSION_MATCHES,
                row_version=old,
            )
        )
    assert refused.value.code == "0x80060882"
    assert admin.retrieve("new_widget", widget_id)["new_count"] == 2


def test_two_writers_with_the_same_version_one_wins(org, admin):
    widget_id = widget(admin)
    version = admin.retrieve("new_widget", widget_id).row_version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(count: int) -> None:
        service = org.service(admin.user_id)
        barrier.wait()
        try:
            service.update(Entity("new_widget", widget_id, new_count=count), if_version=version)
            outcomes.append(f"won {count}")
        except LeadgateError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=write, args=(count,)) for count in (10, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcome.split()[0] for outcome in outcomes) == ["0x80060882", "won"]
    winner = int(next(o for o in outcomes if o.startswith("won")).split()[1])
    record = admin.retrieve("new_widget", widget_id)
    assert record["new_count"] == winner
    assert record["versionnumber"] > version


def test_many_concurrent_creates_all_land(org, admin):
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def create_some() -> None:
        service = org.service(admin.user_id)
        barrier.wait()
        try:
            for index in range(10):
                service.create("new_widget", new_name=f"w{index}", new_size="S")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=create_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    created = admin.retrieve_multiple_all("new_widget")
    assert len(created) == 40
    assert len({record["versionnumber"] for record in created}) == 40  # never shared


def test_of_concurrent_qualifications_of_one_lead_one_wins_and_the_others_read_closed(
    org, admin, monkeypatch
):
    """Found by a probe on PostgreSQL: a loser read the lead open, then the process its
    winner had meanwhile moved on, and was told to Set Active. The lead is locked while it
    is qualified, so every loser waits and finds it closed. The second qualification to look
    for the lead's process is held back long enough for the first to commit: without the
    lock, it would read the moved process."""
    from leadgate.sales import qualify as qualify_module
    from leadgate.sales.qualify import QualifyLeadRequest

    lead = admin.create("lead", subject="Race", firstname="Ada", lastname="Lovelace",
                        companyname="Analytical Engines")  # fmt: skip
    looked = []
    find_process = qualify_module.active_instance

    def slow_second_look(*args, **kwargs):
        looked.append(threading.get_ident())
        if len(looked) == 2:
            time.sleep(1.5)
        return find_process(*args, **kwargs)

    monkeypatch.setattr(qualify_module, "active_instance", slow_second_look)
    racers = 4
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    messages: list[str] = []

    def qualify() -> None:
        service = org.service(admin.user_id)
        barrier.wait()
        try:
            service.execute(QualifyLeadRequest(EntityReference("lead", lead)))
            outcomes.append("won")
        except LeadgateError as error:
            outcomes.append(error.code)
            messages.append(error.message("fr"))

    threads = [threading.Thread(target=qualify) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["0x8F4C4760"] * (racers - 1) + ["won"]
    assert all(m.startswith("Le prospect est fermé") for m in messages), messages
    assert len(admin.retrieve_multiple("opportunity", originatingleadid=lead).entities) == 1
