"""The process bar on a record's form, without a browser: the stages with the active one
marked, the active stage's steps as fields of the form, and Next Stage / Back / Set Active
sent as the signed-in person, with the seed's refusals shown in English and French."""

from __future__ import annotations

import html
import re
import uuid
import warnings
from urllib.parse import urlencode

import pytest

from leadgate.platform import Entity, Organization, OrganizationService
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.web import create_app
from tests.conftest import add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse"
INSTANCES = "leadtoopportunitysalesprocess"
SEED_NEXT_STAGE = {
    "en": "Qualify the lead: qualifying creates the opportunity and moves the process",
    "fr": "Qualifiez le prospect : la qualification crée l'opportunité",
}
REQUIRED = {
    "en": "To move to the next stage, complete the required steps.",
    "fr": "Pour passer à l'étape suivante, effectuez les étapes requises.",
}
WORDS = {
    "en": {"process": "Lead to Opportunity Sales Process", "qualify": "Qualify",
           "develop": "Develop", "active": "Active", "completed": "Completed",
           "next": "Next Stage", "set": "Set Active", "back": "Back"},
    "fr": {"process": "Processus de vente Prospect vers opportunité", "qualify": "Qualifier",
           "develop": "Développer", "active": "Active", "completed": "Terminée",
           "next": "Étape suivante", "set": "Définir actif", "back": "Précédent"},
}  # fmt: skip


def sign_in(org: Organization, system: OrganizationService, language: str = "en") -> TestClient:
    email = f"sales.{language}.{uuid.uuid4().hex[:6]}@test.example"
    user = add_user(system, email, role="Salesperson")
    system.execute(SetPasswordRequest(EntityReference("systemuser", user), PASSWORD))
    if language == "fr":
        system.update(Entity("systemuser", user, uilanguageid=1036))
    client = TestClient(create_app(org))
    token = csrf(client.get("/signin").text)
    answer = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    client.user_id = user  # type: ignore[attr-defined]
    return client


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def a_lead(org: Organization, client: TestClient, **values) -> uuid.UUID:
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    return service.create("lead", {"subject": "40 seats", "firstname": "Ada",
                                   "lastname": "Lovelace", "companyname": "Analytical Engines",
                                   **values})  # fmt: skip


def bar(page: str) -> str:
    found = re.search(r'<section class="process-bar".*?</section>', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(0))


def stage_item(page: str, name: str) -> str:
    for item in re.findall(r'<li class="stage-item">.*?</li>', bar(page), re.S):
        if f"</span> {name}</span>" in item:
            return item
    raise AssertionError(f"no stage {name}")


def stage_id(system: OrganizationService, name: str) -> uuid.UUID:
    (stage,) = system.retrieve_multiple("processstage", stagename=name)
    return stage.id


def active_stage(system: OrganizationService, lead: uuid.UUID) -> tuple[str, str]:
    (instance,) = system.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
    names = {row.id: row["stagename"] for row in system.retrieve_multiple_all("processstage")}
    path = [names[uuid.UUID(part)] for part in instance["traversedpath"].split(",")]
    return names[instance["activestageid"].id], ",".join(path)


def post(client: TestClient, url: str, page: str, **data: str):
    return client.post(url, data={"csrf_token": csrf(page), **data}, follow_redirects=False)


@pytest.mark.interface_only
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_bar_shows_the_stages_with_the_active_one_and_its_steps(org, system, language):
    client = sign_in(org, system, language)
    words = WORDS[language]
    lead = a_lead(org, client, purchasetimeframe=1)
    page = client.get(f"/app/leads/{lead}")
    assert page.status_code == 200
    shown = bar(page.text)
    assert words["process"] in shown
    qualify = stage_item(page.text, words["qualify"])
    assert 'aria-current="step"' in qualify and words["active"] in qualify
    develop = stage_item(page.text, words["develop"])
    assert "aria-current" not in develop and words["set"] not in develop
    assert shown.count('aria-current="step"') == 1
    # The active stage's steps are fields of the record form, in the reader's language.
    label = "Purchase Timeframe" if language == "en" else "Délai d'achat"
    assert f'<label for="step-purchasetimeframe">{label}' in shown
    field = re.search(r'<select id="step-purchasetimeframe"[^>]*>', shown)
    assert field is not None and 'form="record-form"' in field.group(0)
    assert re.search(r'<option value="1" selected>', shown)
    assert f">{words['next']}</button>" in shown and words["back"] not in shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_next_stage_on_qualify_does_not_move_and_says_to_qualify(org, system, language):
    client = sign_in(org, system, language)
    lead = a_lead(org, client)
    page = client.get(f"/app/leads/{lead}").text
    answer = post(client, f"/app/leads/{lead}/process/next", page)
    assert answer.status_code == 200
    text = html.unescape(answer.text)
    assert "0x8F4C4770" in text and SEED_NEXT_STAGE[language] in text
    assert active_stage(system, lead) == ("Qualify", "Qualify")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_required_steps_empty_refuse_next_stage(org, system, language):
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))
    client = sign_in(org, system, language)
    lead = a_lead(org, client)
    page = client.get(f"/app/leads/{lead}").text
    assert re.search(r'for="step-purchasetimeframe">[^<]*<span class="required-marker"', page)
    answer = post(client, f"/app/leads/{lead}/process/next", page)
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "0x8006041a" in text and REQUIRED[language] in text
    assert 'class="process-bar"' in text  # the form again, its bar with it


def test_set_active_brings_a_reactivated_lead_back_to_qualify_then_it_qualifies(org, system):
    client = sign_in(org, system)
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    lead = a_lead(org, client)
    service.execute(QualifyLeadRequest(EntityReference("lead", lead)))
    service.execute(SetStateRequest(EntityReference("lead", lead), 0, 2))  # reactivated
    assert active_stage(system, lead)[0] == "Develop"
    page = client.get(f"/app/leads/{lead}").text
    shown = bar(page)
    assert "The active stage, Develop, is on the Opportunity record, not on this Lead" in shown
    qualify = stage_item(page, "Qualify")
    assert "Completed" in qualify and ">Set Active</button>" in qualify
    assert 'aria-current="step"' in stage_item(page, "Develop")

    answer = post(client, f"/app/leads/{lead}/process/set-active", page,
                  stage=str(stage_id(system, "Qualify")))  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"{lead}#process")
    assert active_stage(system, lead) == ("Qualify", "Qualify")
    assert 'aria-current="step"' in stage_item(client.get(f"/app/leads/{lead}").text, "Qualify")
    created = service.execute(QualifyLeadRequest(EntityReference("lead", lead))).created_entities
    assert active_stage(system, lead)[0] == "Develop" and created[-1].logical_name == "opportunity"


def test_the_opportunity_moves_on_and_back(org, system):
    client = sign_in(org, system)
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    lead = a_lead(org, client)
    opportunity = service.execute(
        QualifyLeadRequest(EntityReference("lead", lead))
    ).created_entities[-1]  # fmt: skip
    url = f"/app/opportunities/{opportunity.id}"
    page = client.get(url).text
    assert 'aria-current="step"' in stage_item(page, "Develop")
    assert "Completed" in stage_item(page, "Qualify")
    assert 'id="step-customerneed"' in bar(page)  # Develop's steps, on the opportunity
    assert post(client, f"{url}/process/next", page).status_code == 303
    assert active_stage(system, lead)[0] == "Propose"
    page = client.get(url).text
    assert post(client, f"{url}/process/back", page).status_code == 303
    assert active_stage(system, lead) == ("Develop", "Qualify,Develop")


@pytest.mark.interface_only
def test_a_move_without_the_forms_token_is_refused(org, system):
    client = sign_in(org, system)
    lead = a_lead(org, client)
    answer = client.post(f"/app/leads/{lead}/process/back", data={"csrf_token": "forged"})
    assert answer.status_code == 403 and "0x8F4C47C8" in answer.text
    answer = client.post(f"/app/leads/{lead}/process/next", data={})
    assert answer.status_code == 403
    assert active_stage(system, lead)[0] == "Qualify"


@pytest.mark.interface_only
def test_a_record_without_a_process_shows_no_bar(org, system):
    client = sign_in(org, system)
    account = org.service(client.user_id).create("account", {"name": "Contoso"})  # type: ignore[attr-defined]
    page = client.get(f"/app/accounts/{account}")
    assert page.status_code == 200 and 'class="process-bar"' not in page.text
    answer = post(client, f"/app/accounts/{account}/process/next", page.text)
    assert answer.status_code == 400 and "0x8F4C477A" in answer.text


def test_a_step_saves_with_the_form_whichever_copy_was_changed(org, system):
    client = sign_in(org, system)
    lead = a_lead(org, client, purchasetimeframe=1)
    page = client.get(f"/app/leads/{lead}").text
    version = re.search(r'name="row-version" value="(\d+)"', page)
    assert version is not None
    for bar_copy, section_copy, saved in (("0", "1", 0), ("0", "2", 2)):
        body = urlencode([
            ("csrf_token", csrf(page)), ("row-version", version.group(1)),
            ("purchasetimeframe", bar_copy), ("purchasetimeframe", section_copy),
        ])  # fmt: skip
        answer = client.post(
            f"/app/leads/{lead}", content=body, follow_redirects=False,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert answer.status_code == 303, answer.text
        assert system.retrieve("lead", lead)["purchasetimeframe"] == saved
        page = client.get(f"/app/leads/{lead}").text
        version = re.search(r'name="row-version" value="(\d+)"', page)
        assert version is not None


# --- after the new user's trial -------------------------------------------------------------


def qualified(org: Organization, client: TestClient, **values) -> tuple[uuid.UUID, uuid.UUID]:
    """A lead of the person's, qualified: (the lead, the opportunity it produced)."""
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    lead = a_lead(org, client, **values)
    created = service.execute(QualifyLeadRequest(EntityReference("lead", lead))).created_entities
    return lead, created[-1].id


def flashed(client: TestClient, answer) -> str:
    """The page a successful post redirects to, with the notice it shows once."""
    assert answer.status_code == 303, answer.text
    return html.unescape(client.get(answer.headers["location"]).text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_closed_lead_shows_its_process_read_only_and_refuses_every_move(org, system, language):
    client = sign_in(org, system, language)
    words = WORDS[language]
    lead, opportunity = qualified(org, client)
    page = client.get(f"/app/leads/{lead}").text
    shown = bar(page)
    for button in (words["next"], words["back"], words["set"]):
        assert f">{button}</button>" not in shown
    assert "data-step-field" not in shown and "<input" not in shown
    note = {
        "en": "This lead is closed: the process continues on the Opportunity record",
        "fr": "Cet enregistrement (prospect) est fermé : le processus continue sur "
        "l'enregistrement Opportunité",
    }
    assert note[language] in shown and f'href="/app/opportunities/{opportunity}"' in shown
    develop = str(stage_id(system, "Develop"))
    for move, data in (("next", {}), ("back", {}), ("set-active", {"stage": develop})):
        answer = post(client, f"/app/leads/{lead}/process/{move}", page, **data)
        assert answer.status_code == 400 and "0x8F4C47CD" in answer.text, move
    assert active_stage(system, lead) == ("Develop", "Qualify,Develop")


@pytest.mark.interface_only
def test_a_lookup_step_shows_the_records_name_with_a_link_to_it(org, system):
    client = sign_in(org, system)
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    account = service.create("account", {"name": "Contoso Pharmaceuticals"})
    lead = a_lead(org, client, parentaccountid=EntityReference("account", account))
    shown = bar(client.get(f"/app/leads/{lead}").text)
    assert f'<a href="/app/accounts/{account}">Contoso Pharmaceuticals</a>' in shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_won_opportunity_keeps_its_finished_process_read_only(org, system, language):
    client = sign_in(org, system, language)
    words = WORDS[language]
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    _lead, opportunity = qualified(org, client)
    service.execute(SetStateRequest(EntityReference("opportunity", opportunity), 1, 3))  # won
    page = client.get(f"/app/opportunities/{opportunity}").text
    shown = bar(page)
    assert words["process"] in shown and {"en": "Finished", "fr": "Terminé"}[language] in shown
    assert words["completed"] in stage_item(page, words["qualify"])
    assert 'aria-current="step"' not in shown and f">{words['next']}</button>" not in shown
    assert "<input" not in shown and "<textarea" not in shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_aborted_process_shows_where_it_stopped(org, system, language):
    from leadgate.platform.processes.messages import AbandonProcessRequest

    client = sign_in(org, system, language)
    lead = a_lead(org, client)
    (instance,) = system.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
    system.execute(AbandonProcessRequest(EntityReference(INSTANCES, instance.id)))
    page = client.get(f"/app/leads/{lead}").text
    qualify = stage_item(page, WORDS[language]["qualify"])
    assert {"en": "Aborted", "fr": "Abandonné"}[language] in qualify
    assert f">{WORDS[language]['next']}</button>" not in bar(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_move_says_where_the_process_went(org, system, language):
    client = sign_in(org, system, language)
    lead, opportunity = qualified(org, client)
    url = f"/app/opportunities/{opportunity}"
    moved = {"en": "Moved to the stage {}.", "fr": "Passage à l'étape {}."}[language]
    names = {"en": ("Propose", "Develop"), "fr": ("Proposer", "Développer")}[language]
    page = flashed(client, post(client, f"{url}/process/next", client.get(url).text))
    assert moved.format(names[0]) in page
    page = flashed(client, post(client, f"{url}/process/back", page))
    assert moved.format(names[1]) in page
    assert moved.format(names[1]) not in html.unescape(client.get(url).text)  # shown once
    # Set Active from the reactivated lead brings the process back to Qualify.
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    service.execute(SetStateRequest(EntityReference("lead", lead), 0, 2))
    page = client.get(f"/app/leads/{lead}").text
    answer = post(client, f"/app/leads/{lead}/process/set-active", page,
                  stage=str(stage_id(system, "Qualify")))  # fmt: skip
    assert moved.format(WORDS[language]["qualify"]) in flashed(client, answer)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_required_steps_left_empty_are_marked_in_the_bar(org, system, language):
    for column in ("purchasetimeframe", "decisionmaker"):
        (step,) = system.retrieve_multiple("processstep", attributename=column)
        system.update(Entity("processstep", step.id, isrequired=True))
    client = sign_in(org, system, language)
    lead = a_lead(org, client, purchasetimeframe=1)
    page = client.get(f"/app/leads/{lead}").text
    assert "aria-invalid" not in bar(page)
    answer = post(client, f"/app/leads/{lead}/process/next", page)
    assert answer.status_code == 400 and "0x8006041a" in answer.text
    shown = bar(answer.text)
    marked = re.findall(r'<select id="step-(\w+)"[^>]*aria-invalid="true"', shown)
    assert marked == ["decisionmaker"]  # the timeframe is filled in
    message = {
        "en": "Required to move to the next stage.",
        "fr": "Requis pour passer à l'étape suivante.",
    }[language]
    assert shown.count(message) == 1


@pytest.mark.interface_only
def test_reloading_a_moves_address_opens_the_record(org, system):
    client = sign_in(org, system)
    lead = a_lead(org, client)
    for move in ("next", "back", "set-active"):
        answer = client.get(f"/app/leads/{lead}/process/{move}", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/app/leads/{lead}"
    assert client.get(f"/app/leads/{lead}/process/other").status_code == 404


@pytest.mark.interface_only
def test_a_disqualified_lead_keeps_its_process_still(org, system):
    client = sign_in(org, system)
    service = org.service(client.user_id)  # type: ignore[attr-defined]
    lead = a_lead(org, client)
    service.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))  # disqualified
    page = client.get(f"/app/leads/{lead}").text
    shown = bar(page)
    assert "This lead is closed: reactivate it to move its process." in shown
    assert ">Next Stage</button>" not in shown and "data-step-field" not in shown
    assert post(client, f"/app/leads/{lead}/process/next", page).status_code == 400
