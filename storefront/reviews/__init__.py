"""Verified reviews: a buyer whose sub-order was delivered rates each of its product lines once."""
