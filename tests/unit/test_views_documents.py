"""Views' and forms' documents read into values: FetchXML, layout XML, formjson; hostile or
broken input gets a coded refusal, never a traceback."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import Organization
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.query import ConditionExpression, QueryExpression
from leadgate.platform.views import (
    QUICK_FIND,
    Form,
    View,
    ViewColumn,
    parse_fetch,
    parse_form,
    parse_layout,
    quick_find,
)
from leadgate.platform.views._documents import MAX_DOCUMENT_BYTES


@pytest.fixture(scope="module")
def metadata():
    with Organization.in_memory() as organization:
        yield organization.metadata()


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def fetch(body: str, table: str = "lead") -> str:
    return f'<fetch version="1.0" mapping="logical"><entity name="{table}">{body}</entity></fetch>'


def test_fetchxml_becomes_a_query_with_typed_values(metadata):
    query = parse_fetch(fetch(
        '<attribute name="fullname"/><attribute name="createdon"/>'
        '<order attribute="createdon" descending="true"/>'
        '<filter type="and"><condition attribute="ownerid" operator="eq-userid"/>'
        '<condition attribute="statecode" operator="eq" value="0"/>'
        '<filter type="or"><condition attribute="leadsourcecode" operator="in">'
        "<value>1</value><value>8</value></condition>"
        '<condition attribute="decisionmaker" operator="eq" value="true"/>'
        '<condition attribute="budgetamount" operator="ge" value="1000.5"/>'
        '<condition attribute="companyname" operator="not-like" value="%test%"/>'
        '<condition attribute="emailaddress1" operator="not-null"/></filter></filter>'
    ), metadata)  # fmt: skip
    assert query.entity_name == "lead"
    assert query.column_set.columns == ("fullname", "createdon")
    assert [(o.column, o.descending) for o in query.orders] == [("createdon", True)]
    top = query.criteria
    assert top.operator == "and" and top.conditions == (
        ConditionExpression("ownerid", "eq_userid"),
        ConditionExpression("statecode", "eq", (0,)),
    )
    (inner,) = top.filters
    assert inner.operator == "or"
    assert [(c.column, c.operator, c.values) for c in inner.conditions] == [
        ("leadsourcecode", "in", (1, 8)),
        ("decisionmaker", "eq", (True,)),
        ("budgetamount", "ge", (pytest.approx(1000.5),)),
        ("companyname", "not_like", ("%test%",)),
        ("emailaddress1", "not_null", ()),
    ]


@pytest.mark.parametrize(
    ("document", "code", "english", "french"),
    [
        (fetch('<attribute name="colour"/>'), "0x8F4C47B4",
         "The fetchxml names the column 'colour', which the table 'lead' does not have.",
         "Le fetchxml nomme la colonne « colour », que la table « lead » n'a pas."),
        (fetch("", table="nothing"), "0x8F4C47B3",
         "The fetchxml names the table 'nothing', which does not exist.",
         "Le fetchxml nomme la table « nothing », qui n'existe pas."),
        ("<fetch><entity name='lead'>", "0x8F4C47B0",
         "The fetchxml cannot be read: it is not well-formed XML (line 1, column 27).",
         "Le fetchxml ne peut pas être lu : ce n'est pas du XML bien formé (ligne 1, colonne 27)."),
        (fetch('<filter><condition attribute="statecode" operator="above" value="1"/></filter>'),
         "0x8F4C47B0", "The fetchxml cannot be read: the operator 'above' is not supported; use "
         "one of eq, ne, gt, ge, lt, le, like, not-like, in, not-in, null, not-null, eq-userid, "
         "ne-userid, eq-businessid.", "l'opérateur « above » n'est pas pris en charge"),
        (fetch('<filter><condition attribute="ownerid" operator="eq-userid" value="x"/></filter>'),
         "0x8F4C47B0", "The fetchxml cannot be read: the operator 'eq-userid' takes no value.",
         "Le fetchxml ne peut pas être lu : l'opérateur « eq-userid » ne prend pas de valeur."),
        (fetch('<filter><condition attribute="statecode" operator="like" value="1"/></filter>'),
         "0x8F4C47B0", "The fetchxml cannot be read: the operator 'like' compares text, and "
         "'statecode' is not text.", "« statecode » n'est pas du texte"),
        (fetch('<filter><condition attribute="statecode" operator="eq" value="open"/></filter>'),
         "0x80040203", "The value 'open' is not valid for the column 'statecode' of table 'lead': "
         "expected a state value (a whole number).", "n'est pas valide pour la colonne"),
        (fetch('<link-entity name="account"/>'), "0x8F4C47B0",
         "The fetchxml cannot be read: the element <link-entity> is not supported in <entity>.",
         "l'élément <link-entity> n'est pas pris en charge dans <entity>."),
    ],
)  # fmt: skip
def test_a_fetchxml_that_cannot_work_is_refused_saying_why(
    metadata, document, code, english, french
):
    error = refusal(lambda: parse_fetch(document, metadata))
    assert error.code == code
    assert error.message("en") == english
    assert french in error.message("fr")


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<fetch><entity name="lead"><attribute name="&lol2;"/></entity></fetch>'
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE fetch [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<fetch><entity name="&xxe;"/></fetch>'
)


@pytest.mark.parametrize("document", [BOMB, EXTERNAL, "<!DOCTYPE fetch><fetch/>"])
def test_entities_and_doctypes_are_refused_before_anything_is_expanded(metadata, document):
    error = refusal(lambda: parse_fetch(document, metadata))
    assert error.code == "0x8F4C47B2"
    assert error.message("en").startswith("The fetchxml declares a DOCTYPE, an entity")
    assert error.message("fr").startswith("Le fetchxml déclare un DOCTYPE")


def test_an_oversized_or_deeply_nested_document_is_refused(metadata):
    huge = fetch("<!--" + "é" * (MAX_DOCUMENT_BYTES // 2) + "-->")  # > 1 MB in UTF-8
    error = refusal(lambda: parse_fetch(huge, metadata))
    assert error.code == "0x8F4C47B1"
    assert f"at most {MAX_DOCUMENT_BYTES} bytes are accepted" in error.message("en")
    deep = fetch("<filter>" * 40 + "</filter>" * 40)
    error = refusal(lambda: parse_fetch(deep, metadata))
    assert error.message("en").endswith("filters are nested more than 16 deep.")
    error = refusal(lambda: parse_form('{"tabs": ' + "[" * 100_000 + "]" * 100_000 + "}", None))
    assert error.code == "0x8F4C47B0"


NAMES = st.sampled_from(
    [
        "fullname",
        "statecode",
        "ownerid",
        "createdon",
        "budgetamount",
        "decisionmaker",
        "leadsourcecode",
        "nothing",
        "",
        "{0}",
    ]
)
VALUES = st.sampled_from(
    [
        "0",
        "1",
        "-1",
        "true",
        "x",
        "",
        "{0}",
        "2026-01-02",
        "1e9",
        "00000000-0000-4000-8000-000000000001",
        "%a_",
        "99999999999999999999",
    ]
)
OPERATORS = st.sampled_from(
    [
        "eq",
        "ne",
        "gt",
        "like",
        "not-like",
        "in",
        "not-in",
        "null",
        "not-null",
        "eq-userid",
        "ne-userid",
        "eq-businessid",
        "between",
    ]
)
CONDITIONS = st.builds(
    lambda name, operator, value, listed: f'<condition attribute="{name}" operator="{operator}"'
    + (f' value="{value}"' if value is not None else "")
    + (">" + "".join(f"<value>{v}</value>" for v in listed) + "</condition>" if listed else "/>"),
    NAMES, OPERATORS, st.none() | VALUES, st.lists(VALUES, max_size=3),
)  # fmt: skip
FILTERS = st.recursive(
    st.lists(CONDITIONS, max_size=3).map("".join),
    lambda inner: st.builds(
        lambda kind, body: f'<filter type="{kind}">{body}</filter>',
        st.sampled_from(["and", "or", "xor"]), inner,
    ),
    max_leaves=6,
)  # fmt: skip
FETCHES = st.builds(
    lambda names, body, table: fetch("".join(f'<attribute name="{n}"/>' for n in names) + body,
                                     table),
    st.lists(NAMES, max_size=3), FILTERS, st.sampled_from(["lead", "account", "nothing"]),
)  # fmt: skip


@given(st.text(max_size=300) | FETCHES | FETCHES.map(lambda text: text[: len(text) // 2]))
def test_any_text_as_fetchxml_is_a_query_or_a_coded_refusal(metadata, text):
    try:
        query = parse_fetch(text, metadata)
    except LeadgateError as error:
        assert error.code.startswith("0x")
        assert error.message("fr")
    else:
        assert isinstance(query, QueryExpression)


LAYOUT = (
    '<grid name="resultset" jump="fullname" select="1" icon="1" preview="1">'
    '<row name="result" id="leadid"><cell name="fullname" width="300"/>'
    '<cell name="createdon"/></row></grid>'
)


def a_view(fetchxml: str, layoutxml: str | None = None, **values) -> Entity:
    values = {"name": "Leads", "name_fr": "Prospects", "returnedtypecode": "lead",
              "querytype": 0, "isdefault": True, "fetchxml": fetchxml, "layoutxml": layoutxml,
              **values}  # fmt: skip
    return Entity("savedquery", uuid.uuid4(), values)


def test_a_view_shows_its_layout_cells_and_reads_them(metadata):
    view = View.from_record(a_view(fetch('<attribute name="fullname"/>'), LAYOUT), metadata)
    assert view.columns == (ViewColumn("fullname", 300), ViewColumn("createdon", 150))
    assert view.query.column_set.columns == ("fullname", "createdon")
    assert (view.name.en, view.name.fr, view.table, view.is_default) == (
        "Leads", "Prospects", "lead", True,
    )  # fmt: skip
    plain = View.from_record(
        a_view(fetch('<attribute name="companyname"/><attribute name="fullname"/>')), metadata
    )
    assert plain.columns == (ViewColumn("companyname", 150), ViewColumn("fullname", 150))


@pytest.mark.parametrize(
    ("layout", "english"),
    [
        ("<grid><row><cell name='colour'/></row></grid>",
         "The layoutxml names the column 'colour', which the table 'lead' does not have."),
        ("<grid><row><cell name='fullname' width='wide'/></row></grid>",
         "The layoutxml cannot be read: the width of the cell 'fullname' is 'wide', not a number "
         "of pixels from 1 to 2000."),
        ("<table/>", "The layoutxml cannot be read: its root element is <table>, not <grid>."),
    ],
)  # fmt: skip
def test_a_layout_that_cannot_work_is_refused(metadata, layout, english):
    error = refusal(lambda: parse_layout(layout, metadata.table("lead")))
    assert error.message("en") == english
    assert error.message("fr").startswith("Le layoutxml")


def test_a_view_of_another_table_than_its_record_says_is_refused(metadata):
    error = refusal(lambda: View.from_record(a_view(fetch("", table="account")), metadata))
    assert error.code == "0x8F4C47B6"
    assert error.message("fr") == (
        "Le fetchxml porte sur la table « account », mais l'enregistrement est pour la table "
        "« lead »."
    )


def test_quick_find_narrows_the_view_to_what_starts_with_the_text(metadata):
    view = View.from_record(a_view(fetch(
        '<attribute name="fullname"/><filter><condition attribute="statecode" operator="eq" '
        'value="0"/></filter>')), metadata)  # fmt: skip
    quick = View.from_record(a_view(fetch(
        '<attribute name="fullname"/><filter type="or">'
        '<condition attribute="fullname" operator="like" value="{0}"/>'
        '<condition attribute="emailaddress1" operator="like" value="{0}"/></filter>'
    ), querytype=QUICK_FIND), metadata)  # fmt: skip
    searched = quick_find(view, quick, " *son_1%")
    assert searched.column_set == view.query.column_set
    assert searched.criteria.operator == "and"
    mine, found = searched.criteria.filters
    assert mine == view.query.criteria
    assert found.operator == "or"
    assert {c.values for c in found.conditions} == {("%son\\_1\\%%",)}
    assert quick_find(view, quick, "  ") == view.query


def test_formjson_becomes_tabs_of_sections(metadata):
    record = Entity("systemform", uuid.uuid4(), name="Lead", name_fr="Prospect",
                    objecttypecode="lead", type=2, isdefault=True, formjson=(
        '{"header": ["statuscode", "ownerid"], "tabs": [{"name": "summary", "label": '
        '["Summary", "Résumé"], "sections": [{"name": "contact", "label": ["Contact", '
        '"Contact"], "fields": ["subject", "firstname", "ownerid"]}]}]}'))  # fmt: skip
    form = Form.from_record(record, metadata)
    assert form.header == ("statuscode", "ownerid")
    (tab,) = form.tabs
    assert (tab.name, tab.label.fr, tab.sections[0].fields) == (
        "summary", "Résumé", ("subject", "firstname", "ownerid"),
    )  # fmt: skip
    assert form.fields == ("statuscode", "ownerid", "subject", "firstname")


@pytest.mark.parametrize(
    ("formjson", "english", "french"),
    [
        ('{"tabs": [{"name": "t", "sections": [{"name": "s", "fields": ["colour"]}]}]}',
         "The formjson names the column 'colour', which the table 'lead' does not have.",
         "Le formjson nomme la colonne « colour », que la table « lead » n'a pas."),
        ('{"tabs": [', "The formjson cannot be read: it is not valid JSON (line 1, column 11).",
         "Le formjson ne peut pas être lu : ce n'est pas du JSON valide (ligne 1, colonne 11)."),
        ('{"header": "statuscode", "tabs": []}',
         "The formjson cannot be read: header is not what a form holds there.",
         "Le formjson ne peut pas être lu : header n'est pas ce qu'un formulaire contient à cet "
         "endroit."),
        ('{"tabs": []}',
         "The formjson cannot be read: it has no tab: a form shows its fields in tabs.",
         "Le formjson ne peut pas être lu : il n'a aucun onglet : un formulaire affiche ses "
         "champs dans des onglets."),
    ],
)  # fmt: skip
def test_a_formjson_that_cannot_work_is_refused(metadata, formjson, english, french):
    error = refusal(lambda: parse_form(formjson, metadata.table("lead")))
    assert (error.code, error.message("en"), error.message("fr")) == (
        error.code, english, french,
    )  # fmt: skip
    assert error.code in ("0x8F4C47B0", "0x8F4C47B4")
