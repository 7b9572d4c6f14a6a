"""The remainder rule: largest remainder, ties to the smaller key; shares add up exactly."""

import pytest

from storefront.promotions.allocate import split


def test_shares_are_proportional_and_add_up_to_the_discount():
    assert split(50_000, [(1, 300_000), (2, 200_000)]) == {1: 30_000, 2: 20_000}


def test_the_left_over_dong_goes_to_the_largest_remainder_then_the_smaller_key():
    # 100 over three equal lines: 33 each, one đồng left, to key 1 (a tie, smaller key).
    assert split(100, [(3, 1000), (1, 1000), (2, 1000)]) == {3: 33, 1: 34, 2: 33}
    # 10 over 1/3 and 2/3: 3.33 and 6.67, the larger remainder (key 2) takes the đồng.
    assert split(10, [(1, 100), (2, 200)]) == {1: 3, 2: 7}


@pytest.mark.parametrize("discount", [0, 1, 7, 999, 45_001, 10**6])
def test_no_share_exceeds_its_value_and_the_sum_is_exact(discount):
    values = [(1, 150_000), (2, 7), (3, 99_999), (4, 0)]
    shares = split(discount, values)
    assert sum(shares.values()) == min(discount, 250_006)
    assert all(0 <= shares[key] <= value for key, value in values)
