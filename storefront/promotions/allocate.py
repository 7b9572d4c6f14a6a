"""Splitting a discount across lines (or parcels) in whole đồng.

The rule, fixed and the same everywhere: each part first gets the floor of its exact
proportional share, D × value / total; the đồng left over go one each to the parts with
the largest remainders (D × value mod total), ties to the smaller key (the line's id, or
the cart line's, which come in the same order). No part ever gets more than its value,
and the shares always add up to D exactly.
"""


def split(discount: int, values: list[tuple[int, int]]) -> dict[int, int]:
    """`values` is [(key, value)]: returns {key: share}, the shares adding up to `discount`
    (capped at the sum of the values)."""
    total = sum(value for _key, value in values if value > 0)
    discount = max(min(discount, total), 0)
    shares = {key: 0 for key, _value in values}
    if discount == 0 or total == 0:
        return shares
    remainders = []
    for key, value in values:
        if value <= 0:
            continue
        share, remainder = divmod(discount * value, total)
        shares[key] = share
        remainders.append((-remainder, key))
    left = discount - sum(shares.values())
    for _remainder, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares
