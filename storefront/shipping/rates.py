"""Rate cards: a carrier's fee by route and weight, and its estimated delivery days.

A fee is the first step's price plus each further step (or part of one) at the step's
price; steps are 500 g as on the carriers' public price lists. Money is integer đồng.
The figures are the carriers' published retail prices for a standard parcel (rounded),
which is what a cooperative without a negotiated contract pays; a live quote, when a
carrier is reachable, replaces them.
"""

from dataclasses import dataclass

from .regions import Route

STEP_GRAMS = 500
# Heavier parcels are freight, not a parcel service: refused with a message.
MAX_PARCEL_GRAMS = 50_000


@dataclass(frozen=True)
class Rate:
    first_step: int  # đồng for the first STEP_GRAMS
    next_step: int  # đồng for each further STEP_GRAMS or part of it
    eta_days: int


@dataclass(frozen=True)
class RateCard:
    carrier: str
    service: str
    rates: dict[Route, Rate]

    def fee(self, route: Route, weight_grams: int) -> int:
        rate = self.rates[route]
        extra_steps = max(0, -(-(weight_grams - STEP_GRAMS) // STEP_GRAMS))
        return rate.first_step + extra_steps * rate.next_step

    def eta_days(self, route: Route) -> int:
        return self.rates[route].eta_days


S, R, X = Route.SAME_PROVINCE, Route.SAME_REGION, Route.OTHER_REGION

RATE_CARDS: dict[str, RateCard] = {
    "ghn": RateCard(
        "ghn",
        "standard",
        {S: Rate(16_500, 2_500, 1), R: Rate(30_000, 5_000, 2), X: Rate(36_300, 8_000, 4)},
    ),
    "ghtk": RateCard(
        "ghtk",
        "road",
        {S: Rate(16_000, 2_500, 1), R: Rate(28_000, 5_000, 3), X: Rate(32_000, 7_500, 5)},
    ),
    "viettelpost": RateCard(
        "viettelpost",
        "VCN",
        {S: Rate(18_000, 2_500, 1), R: Rate(30_000, 5_000, 2), X: Rate(38_000, 8_500, 4)},
    ),
    # The cooperative's own van or motorbike: cheap nearby, dearer and slower far away.
    "self": RateCard(
        "self",
        "own",
        {S: Rate(15_000, 2_000, 1), R: Rate(35_000, 5_000, 3), X: Rate(60_000, 10_000, 6)},
    ),
}
