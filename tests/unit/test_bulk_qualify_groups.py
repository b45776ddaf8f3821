"""How many leads a bulk-qualify job commits at a time: about half a second of work, growing
at most twofold, never past the chunk size, never none."""

from __future__ import annotations

from leadgate.sales.bulk_qualify import next_chunk


def test_a_group_aims_at_half_a_second_of_work():
    assert next_chunk(10, 0.1, 50) == 20  # fast leads: doubled, not more
    assert next_chunk(20, 0.2, 50) == 40
    assert next_chunk(40, 0.2, 50) == 50  # the chunk size caps it
    assert next_chunk(50, 1.0, 50) == 25  # slow leads: half a second's worth
    assert next_chunk(4, 10.0, 50) == 1  # never none
    assert next_chunk(10, 0.0, 50) == 20  # a clock that did not move
