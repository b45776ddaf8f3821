"""What a browser posted (not a form record: that is ``platform.views.Form``): URL-encoded
fields only, bounded in number (no files)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

__all__ = ["PostedForm", "read_form"]

MAX_FIELDS = 5000  # a grid selection of 5,000 leads is the largest form the app posts


class PostedForm:
    """A posted form's text fields; a repeated name (the grid's selected rows) keeps all."""

    def __init__(self, data: FormData) -> None:
        self._data = data

    def get(self, name: str, default: str = "") -> str:
        value = self._data.get(name)
        return value if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        return [value for value in self._data.getlist(name) if isinstance(value, str)]

    def names(self) -> list[str]:
        return list(self._data.keys())

    def __contains__(self, name: str) -> bool:
        return name in self._data


async def read_form(request: Request) -> PostedForm:
    return PostedForm(await request.form(max_files=0, max_fields=MAX_FIELDS))
