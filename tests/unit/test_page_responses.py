"""A large page is streamed a chunk of records at a time: the text a client reads is the one
the same page built whole would be (members in order, records in order, JSON escapes)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import StreamingResponse

from leadgate.web.responses import STREAMED_RECORDS, json_response, page_response

RECORD = st.fixed_dictionaries(
    {"@odata.etag": st.just('W/"1"'), "subject": st.text(), "count": st.integers()}
)


def _body(response: object) -> bytes:
    if not isinstance(response, StreamingResponse):
        return response.body  # type: ignore[attr-defined,no-any-return]

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[misc]

    # On a thread of its own: a browser test in the same worker may hold this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, read()).result()


@pytest.mark.parametrize("after", [{}, {"@odata.nextLink": "https://x/leads?$skiptoken=2"}])
@pytest.mark.parametrize("count", [0, 1, STREAMED_RECORDS, STREAMED_RECORDS + 1, 2_345])
def test_a_page_reads_the_same_streamed_or_whole(count: int, after: dict[str, str]) -> None:
    records = [{"@odata.etag": f'W/"{n}"', "subject": f"Lead {n} é"} for n in range(count)]
    body = {"@odata.context": "https://x/$metadata#leads", "value": None, **after}
    response = page_response(body, iter(records), count, {"Preference-Applied": "a"})
    assert isinstance(response, StreamingResponse) is (count > STREAMED_RECORDS)
    whole = json_response({**body, "value": records})
    text = _body(response)
    assert text == whole.body
    assert list(json.loads(text)) == list(body)  # nextLink after the records
    assert response.headers["OData-Version"] == "4.0"
    assert response.headers["Preference-Applied"] == "a"
    assert response.media_type == whole.media_type


@settings(max_examples=30, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=5))
def test_any_records_stream_as_valid_json(drawn: list[dict[str, object]]) -> None:
    """Lone surrogates included: each record falls back to ASCII escapes on its own."""
    records = [{"subject": "filler"}] * STREAMED_RECORDS + drawn
    body = {"@odata.context": "c", "value": None}
    streamed = _body(page_response(body, iter(records), len(records)))
    assert json.loads(streamed) == {"@odata.context": "c", "value": records}
