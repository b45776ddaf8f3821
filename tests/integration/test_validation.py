"""Every validation rule refuses with its code and the text people read, in English and French."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import Entity, EntityReference, LeadgateError
from tests.conftest import property_budget


def refusal(action):
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def create_widget(admin, **values):
    values.setdefault("new_name", "Sprocket")
    values.setdefault("new_size", "M")
    return lambda: admin.create("new_widget", values)


def assert_nothing_written(admin):
    assert len(admin.retrieve_multiple("new_widget")) == 0


def test_unknown_table(admin):
    error = refusal(lambda: admin.create("new_nothing", new_name="x"))
    assert error.code == "0x80041102"
    assert error.message("en") == "The table 'new_nothing' does not exist."
    assert error.message("fr") == "La table « new_nothing » n'existe pas."


def test_unknown_column(admin):
    error = refusal(create_widget(admin, new_colour=1))
    assert error.code == "0x80041103"
    assert error.message("en") == "The table 'new_widget' has no column 'new_colour'."
    assert error.message("fr") == "La table « new_widget » n'a pas de colonne « new_colour »."
    assert_nothing_written(admin)


@pytest.mark.parametrize(
    ("column", "value", "english", "french"),
    [
        ("new_count", "twelve", "a whole number", "un nombre entier"),
        ("new_count", 1.5, "a whole number", "un nombre entier"),
        ("new_count", True, "a whole number", "un nombre entier"),
        ("new_active", "yes", "true or false", "vrai ou faux (true ou false)"),
        ("new_price", "lots", "an amount of money", "un montant"),
        ("new_day", "24/12/2026", "a date (YYYY-MM-DD)", "une date (AAAA-MM-JJ)"),
        ("new_code", 42, "text", "du texte"),
    ],
)
def test_wrong_type(admin, column, value, english, french):
    error = refusal(create_widget(admin, **{column: value}))
    assert error.code == "0x80040203"
    shown = repr(value) if isinstance(value, str) else str(value)
    assert error.message("en") == (
        f"The value {shown} is not valid for the column '{column}' of table 'new_widget': "
        f"expected {english}."
    )
    assert error.message("fr") == (
        f"La valeur {shown} n'est pas valide pour la colonne « {column} » de la table "
        f"« new_widget » : attendu {french}."
    )
    assert_nothing_written(admin)


def test_string_over_max_length(admin):
    error = refusal(create_widget(admin, new_code="ELEVEN-CHAR"))
    assert error.code == "0x80044331"
    assert error.message("en") == (
        "A validation error occurred. The length of the 'new_code' attribute of the 'new_widget' "
        "entity exceeded the maximum allowed length of '10' (11 characters given)."
    )
    assert error.message("fr").startswith(
        "Une erreur de validation s'est produite. La longueur de l'attribut « new_code »"
    )


def test_number_out_of_range(admin):
    error = refusal(create_widget(admin, new_count=1001))
    assert error.code == "0x8F4C4702"
    assert error.message("en") == (
        "The value 1001 of the column 'new_count' of table 'new_widget' is outside the valid "
        "range: 0 to 1000."
    )
    assert error.message("fr") == (
        "La valeur 1001 de la colonne « new_count » de la table « new_widget » est hors de la "
        "plage valide : 0 à 1000."
    )


def test_choice_value_not_in_its_option_set(admin):
    error = refusal(create_widget(admin, new_color=4))
    assert error.code == "0x8004431A"
    assert error.message("en") == (
        "The picklist value is out of the range: 4 is not an option of the column 'new_color' "
        "of table 'new_widget'. Valid values: 1 (Red), 2 (Green), 3 (Blue)."
    )
    assert error.message("fr") == (
        "La valeur de la liste de choix est hors limites : 4 n'est pas une option de la colonne "
        "« new_color » de la table « new_widget ». Valeurs valides : 1 (Rouge), 2 (Vert), 3 (Bleu)."
    )


def test_required_column_missing(admin):
    error = refusal(lambda: admin.create("new_widget", new_name="No size"))
    assert error.code == "0x80040200"
    assert error.message("en") == (
        "Required field missing: 'new_size' (Size) on table 'new_widget' needs a value."
    )
    assert error.message("fr") == (
        "Champ obligatoire manquant : « new_size » (Size) de la table « new_widget » doit avoir "
        "une valeur."
    )
    assert_nothing_written(admin)


def test_required_column_cannot_be_emptied(admin):
    widget_id = create_widget(admin)()
    error = refusal(lambda: admin.update(Entity("new_widget", widget_id, new_size="")))
    assert error.code == "0x80040200"
    assert admin.retrieve("new_widget", widget_id)["new_size"] == "M"


def test_lookup_to_a_missing_record(admin):
    missing = uuid.uuid4()
    error = refusal(
        create_widget(admin, new_currency=EntityReference("transactioncurrency", missing))
    )
    assert error.code == "0x8F4C4704"
    assert error.message("en") == (
        f"The column 'new_currency' of table 'new_widget' points at transactioncurrency with "
        f"Id = {missing}, which does not exist."
    )
    assert error.message("fr") == (
        f"La colonne « new_currency » de la table « new_widget » pointe vers transactioncurrency "
        f"avec l'ID = {missing}, qui n'existe pas."
    )
    assert_nothing_written(admin)


def test_lookup_to_the_wrong_table(admin):
    error = refusal(create_widget(admin, new_currency=EntityReference("systemuser", uuid.uuid4())))
    assert error.code == "0x8F4C4705"
    assert "it accepts transactioncurrency" in error.message("en")
    assert "elle accepte transactioncurrency" in error.message("fr")


def test_invalid_state_status_pair_uses_the_platform_sentence(admin):
    widget_id = create_widget(admin)()
    error = refusal(lambda: admin.set_state("new_widget", widget_id, 1, 100000000))
    assert error.code == "0x80048408"
    assert error.message("en") == (
        f"100000000 is not a valid status code for state code new_WidgetState.Inactive on "
        f"new_widget with Id {widget_id}."
    )
    assert error.message("fr") == (
        f"Erreur de code d'état non valide : 100000000 n'est pas un code de statut valide pour le "
        f"code d'état new_WidgetState.Inactive sur new_widget avec l'ID {widget_id}."
    )
    record = admin.retrieve("new_widget", widget_id)
    assert (record["statecode"], record["statuscode"]) == (0, 1)


def test_a_status_reason_of_another_state_is_refused_on_create(admin):
    error = refusal(create_widget(admin, statuscode=2))
    assert error.code == "0x80048408"
    assert "state code new_WidgetState.Active on new_widget" in error.message("en")


def test_platform_columns_cannot_be_set(admin):
    error = refusal(create_widget(admin, versionnumber=7))
    assert error.code == "0x8F4C4706"
    assert error.message("en") == (
        "The column 'versionnumber' of table 'new_widget' is set by the platform and cannot be "
        "given when a record is created."
    )
    widget_id = create_widget(admin)()
    error = refusal(lambda: admin.update(Entity("new_widget", widget_id, createdon="2020-01-01")))
    assert error.code == "0x8F4C4707"
    assert error.message("fr") == (
        "La colonne « createdon » de la table « new_widget » ne peut plus être modifiée une fois "
        "l'enregistrement créé."
    )


def test_record_not_found(admin):
    missing = uuid.uuid4()
    error = refusal(lambda: admin.retrieve("new_widget", missing))
    assert error.code == "0x80040217"
    assert error.message("en") == f"new_widget With Id = {missing} Does Not Exist"
    assert error.message("fr") == f"new_widget avec l'ID = {missing} n'existe pas"


def test_a_column_not_yet_published_says_so(admin, system):
    from leadgate.platform import CreateAttributeRequest, Label
    from leadgate.platform.engine.types import ColumnType

    system.execute(
        CreateAttributeRequest("new_widget", "new_weight", ColumnType.INTEGER, Label("Weight"))
    )
    error = refusal(create_widget(admin, new_weight=3))
    assert error.code == "0x8F4C4701"
    assert "Publish the customizations (leadgate customize publish)" in error.message("en")
    assert "Publiez les personnalisations (leadgate customize publish)" in error.message("fr")


@property_budget("record")
@given(
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=20),
        st.lists(st.integers(), max_size=2),
    )
)
def test_any_value_is_stored_or_refused_with_a_code(admin, value):
    """Whatever a caller sends for a number column, the answer is a value or a coded refusal."""
    try:
        widget_id = create_widget(admin, new_count=value)()
    except LeadgateError as error:
        assert error.code in ("0x80040203", "0x8F4C4702")
        assert error.message("en") and error.message("fr")
    else:
        stored = admin.retrieve("new_widget", widget_id)["new_count"]
        assert stored is None or (isinstance(stored, int) and 0 <= stored <= 1000)
