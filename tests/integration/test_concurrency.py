"""Optimistic concurrency: versionnumber refuses stale writes; of two racing writers, one wins."""

from __future__ import annotations

import threading

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
