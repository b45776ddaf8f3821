"""Plug-ins the tests register by import path, as an administrator would register theirs."""

from __future__ import annotations

from typing import Any

from leadgate.platform import Entity, ExecutionContext, InvalidPluginExecutionError

SEEN: list[dict[str, Any]] = []


def record(context: ExecutionContext) -> None:
    """Remember what the step was told."""
    SEEN.append(
        {
            "message": context.message_name,
            "table": context.primary_entity_name,
            "id": context.primary_entity_id,
            "stage": int(context.stage),
            "mode": int(context.mode),
            "depth": context.depth,
            "user": context.user_id,
            "initiating_user": context.initiating_user_id,
            "business_unit": context.business_unit_id,
            "correlation": context.correlation_id,
            "parent": context.parent_context.message_name if context.parent_context else None,
            "inputs": dict(context.input_parameters),
            "outputs": dict(context.output_parameters),
            "pre": {k: dict(v) for k, v in context.pre_entity_images.items()},
            "post": {k: dict(v) for k, v in context.post_entity_images.items()},
            "shared": dict(context.shared_variables),
            "configuration": context.configuration,
            "in_transaction": context.is_in_transaction,
        }
    )


def share(context: ExecutionContext) -> None:
    context.shared_variables["from_first_step"] = context.stage


def shout_name(context: ExecutionContext) -> None:
    target: Entity = context.input_parameters["Target"]
    if "new_name" in target:
        target["new_name"] = target["new_name"].upper()


def cancel(context: ExecutionContext) -> None:
    raise InvalidPluginExecutionError(context.configuration or "Widgets are closed today.")


def crash(context: ExecutionContext) -> None:
    context.trace("about to divide")
    1 / 0  # noqa: B018 - the point is the exception


def create_sibling(context: ExecutionContext) -> None:
    """Creates another record through the service: nested work in the same transaction."""
    target: Entity = context.input_parameters["Target"]
    if str(target.get("new_name", "")).startswith("sibling of"):
        return
    context.trace("creating a sibling of {}", target.get("new_name"))
    context.service.create(
        "new_widget", new_name=f"sibling of {target.get('new_name')}", new_size="S"
    )


def recurse(context: ExecutionContext) -> None:
    """Creates a widget on every widget create: a loop the depth guard must stop."""
    context.service.create("new_widget", new_name="again", new_size="S")


def rename_output(context: ExecutionContext) -> None:
    entity: Entity = context.output_parameters["Entity"]
    entity["new_name"] = "seen by a post-operation step"


def make_invalid(context: ExecutionContext) -> None:
    target: Entity = context.input_parameters["Target"]
    target["new_code"] = "WAY-TOO-LONG-FOR-TEN"


not_callable = 42


def read_currencies(context: ExecutionContext) -> None:
    """Reads another table, as the seed's plug-ins do that need more than the user has."""
    context.service.retrieve_multiple("transactioncurrency")


def no_opportunity(context: ExecutionContext) -> None:
    """Pre-validation on QualifyLead: this organization never makes opportunities this way."""
    context.input_parameters["CreateOpportunity"] = False


def refuse_last_name(context: ExecutionContext) -> None:
    """Refuses the record whose last name is the step's configuration (after it was saved)."""
    target: Entity = context.input_parameters["Target"]
    if target.get("lastname") == context.configuration:
        raise InvalidPluginExecutionError(f"No lead named {context.configuration}.")


def note_in_widget(context: ExecutionContext) -> None:
    """An asynchronous step's work: remember what it was told, trace, and write a widget
    named after the record (its creator is the user the step runs as)."""
    record(context)
    target = context.input_parameters["Target"]
    name = target.get("name") or target.id
    context.trace("noting {0}", name)
    context.service.create("new_widget", new_name=f"noted {name}", new_size="S")


def touch_account(context: ExecutionContext) -> None:
    """An asynchronous step on Update of account that updates the account again: a loop
    across system jobs, which the depth carried by each job stops."""
    context.service.update(
        Entity("account", context.primary_entity_id, description=f"depth {context.depth}")
    )


def note_dry_run(context: ExecutionContext) -> None:
    """Says whether it ran in a dry run, as a plug-in with outside effects would ask."""
    SEEN.append({"message": context.message_name, "dry_run": context.is_dry_run})
    context.trace("dry run: {}", context.is_dry_run)


def overlong_name(context: ExecutionContext) -> None:
    """Pre-operation: leaves a value the core operation refuses (no error in the step)."""
    target: Entity = context.input_parameters["Target"]
    target["name"] = "N" * 500


def note_on_update(context: ExecutionContext) -> None:
    """Post-operation on Update of a lead: writes its description through the service, so
    that what the operation's unit of work holds of the lead is stale unless it follows."""
    target: Entity = context.input_parameters["Target"]
    if "description" not in target:
        context.service.update(Entity("lead", target.id, description="noted by a step"))
