"""Views and forms as records, as in Dynamics: a ``savedquery`` (FetchXML and layout XML) says
what a grid reads and shows, a ``systemform`` (formjson) how a form lays out its fields.

Interfaces read them with :meth:`View.from_record` and :meth:`Form.from_record` and render them
generically; the platform checks them when they are saved (:mod:`.steps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.views.fetch import parse_fetch
from leadgate.platform.views.form import Form, FormSection, FormTab, parse_form
from leadgate.platform.views.layout import DEFAULT_WIDTH, ViewColumn, parse_layout
from leadgate.platform.views.view import (
    ADVANCED_SEARCH,
    ASSOCIATED_VIEW,
    LOOKUP_VIEW,
    MAIN_VIEW,
    QUICK_FIND,
    View,
    quick_find,
)

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "ADVANCED_SEARCH",
    "ASSOCIATED_VIEW",
    "DEFAULT_WIDTH",
    "LOOKUP_VIEW",
    "MAIN_VIEW",
    "QUICK_FIND",
    "Form",
    "FormSection",
    "FormTab",
    "View",
    "ViewColumn",
    "parse_fetch",
    "parse_form",
    "parse_layout",
    "quick_find",
    "register",
]


def register(organization: Organization) -> None:
    from leadgate.platform.views import steps

    steps.register(organization)
