"""What a parcel costs and how long it takes: the options a cooperative offers for a
destination and a weight, and the checkout's shipping policy built on them.

A cooperative that has set up no carrier keeps the shop's flat fee (SHIPPING_FEE_VND,
free from FREE_SHIPPING_THRESHOLD_VND), as before carriers existed. One that has carrier
accounts is priced by its chosen carrier's rate card (or the carrier's live quote when
SHIPPING_LIVE_QUOTES is on), by route and the parcel's weight, minus its own free-shipping
threshold. A carrier that does not answer in time never stops a checkout: the rate card's
fee is charged and the sub-order is flagged for an admin to review.
"""

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import places
from ..errors import ValidationFailed
from ..producers.models import Producer
from . import carriers
from .carriers.base import CarrierError, Parcel, Place
from .models import CarrierAccount, ShippingProfile
from .rates import MAX_PARCEL_GRAMS, RATE_CARDS
from .regions import REGION_OF, Route, route_between
from .secrets import decrypt

log = logging.getLogger(__name__)

STANDARD = "standard"  # the shop's flat fee, for a cooperative without carriers


@dataclass(frozen=True)
class Option:
    carrier: str
    service: str
    fee: int  # before the cooperative's free-shipping threshold
    eta_days: int
    route: Route


@dataclass(frozen=True)
class Quote:
    """The parcel's price as the buyer is charged it, and what it was made of."""

    carrier: str
    service: str
    fee: int  # the carrier's price
    charged: int  # after the free-shipping threshold (0 when the cooperative pays)
    eta_days: int
    weight_grams: int
    needs_review: bool = False


def parcel_weight_grams(lines) -> int:
    """The one place a parcel's weight is summed, for cart lines and order lines alike: each
    line's grams per unit (its variant's, which every variant has) times its quantity."""
    return sum(line.weight_grams * line.quantity for line in lines)


def check_weight(weight_grams) -> int:
    if not isinstance(weight_grams, int) or weight_grams < 1:
        raise ValidationFailed(_l("The weight must be a whole number of grams, at least 1."))
    if weight_grams > MAX_PARCEL_GRAMS:
        raise ValidationFailed(
            _l("Parcels weigh at most %(kg)d kg; heavier goods go by freight.", kg=50)
        )
    return weight_grams


def route_for(producer: Producer, province_code: int) -> Route:
    origin = producer.province_code
    if origin not in REGION_OF:
        return Route.OTHER_REGION  # no place on record: priced as the farthest
    return route_between(origin, province_code)


def accounts_of(session: Session, producer_id: int) -> dict[str, CarrierAccount]:
    rows = session.scalars(
        select(CarrierAccount)
        .where(CarrierAccount.producer_id == producer_id)
        .order_by(CarrierAccount.id)
    )
    return {row.carrier: row for row in rows}


def profile_of(session: Session, producer_id: int) -> ShippingProfile | None:
    return session.scalar(select(ShippingProfile).where(ShippingProfile.producer_id == producer_id))


@dataclass
class Setup:
    """A cooperative's carriers and choices, as pricing needs them."""

    accounts: dict[str, CarrierAccount] = field(default_factory=dict)
    profile: ShippingProfile | None = None


def setups_for(session: Session, producer_ids) -> dict[int, Setup]:
    """Every cooperative's setup in one statement (a checkout prices several parcels)."""
    setups: dict[int, Setup] = {pid: Setup() for pid in producer_ids}
    if not setups:
        return setups
    rows = session.execute(
        select(CarrierAccount, ShippingProfile)
        .outerjoin(ShippingProfile, ShippingProfile.producer_id == CarrierAccount.producer_id)
        .where(CarrierAccount.producer_id.in_(list(setups)))
        .order_by(CarrierAccount.id)
    )
    for account, profile in rows:
        setup = setups[account.producer_id]
        setup.accounts[account.carrier] = account
        setup.profile = profile
    return setups


def options(producer: Producer, setup: Setup, province_code: int, weight_grams: int, config):
    """Every way this cooperative ships a parcel of this weight to this province, the
    chosen carrier first."""
    route = route_for(producer, province_code)
    if not setup.accounts:
        card = RATE_CARDS["ghtk"]  # the flat fee's delivery time: a road parcel's
        return [Option(STANDARD, "flat", config["SHIPPING_FEE_VND"], card.eta_days(route), route)]
    profile = setup.profile
    chosen = profile.carrier if profile is not None and profile.carrier in setup.accounts else None
    codes = sorted(setup.accounts, key=lambda code: (code != chosen, carriers.CODES.index(code)))
    return [
        Option(
            code,
            RATE_CARDS[code].service,
            RATE_CARDS[code].fee(route, weight_grams),
            RATE_CARDS[code].eta_days(route),
            route,
        )
        for code in codes
    ]


def free_threshold(setup: Setup, config) -> int | None:
    """Without carriers, the shop's flat-fee threshold; with them, the cooperative's own."""
    if not setup.accounts:
        return config["FREE_SHIPPING_THRESHOLD_VND"]
    return setup.profile.free_shipping_threshold if setup.profile is not None else None


def place_of_producer(producer: Producer) -> Place:
    return Place(
        name=producer.name,
        phone=producer.contact_phone or "",
        street=producer.street or "",
        ward_code=producer.ward_code or 0,
        ward_name=places.ward_name(producer.ward_code),
        province_code=producer.province_code or 0,
        province_name=places.province_name(producer.province_code),
    )


def _live_fee(setup: Setup, option: Option, parcel: Parcel, config) -> int:
    account = setup.accounts[option.carrier]
    client = carriers.client_for(
        option.carrier,
        decrypt(config, account.credentials_encrypted),
        config,
        timeout=config.get("CARRIER_QUOTE_TIMEOUT_SECONDS", 3),
    )
    return client.quote(parcel).fee


def quote_parcel(
    producer: Producer,
    setup: Setup,
    destination: Place,
    weight_grams: int,
    subtotal: int,
    config,
    *,
    live: bool = False,
) -> Quote:
    """The chosen option's price for one parcel, after the free-shipping threshold."""
    option = options(producer, setup, destination.province_code, weight_grams, config)[0]
    fee, review = option.fee, False
    if live and option.carrier in carriers.BASE_SETTINGS:
        parcel = Parcel(
            reference="quote",
            sender=place_of_producer(producer),
            recipient=destination,
            weight_grams=weight_grams,
            value=subtotal,
            cod_amount=0,
        )
        try:
            fee = _live_fee(setup, option, parcel, config)
        except (CarrierError, ValidationFailed) as error:
            # The order goes through at the rate card's price; an admin looks at it.
            log.warning("live quote from %s failed, rate card used: %s", option.carrier, error)
            review = True
    threshold = free_threshold(setup, config)
    waived = subtotal <= 0 or (threshold is not None and subtotal >= threshold)
    return Quote(
        carrier=option.carrier,
        service=option.service,
        fee=fee,
        charged=0 if waived else fee,
        eta_days=option.eta_days,
        weight_grams=weight_grams,
        needs_review=review,
    )


class RoutedShipping:
    """The checkout's shipping policy once the buyer has chosen a ward: each producer
    group's fee from its cooperative's quote. Quotes are kept by producer id, so the
    order keeps exactly what the buyer was shown."""

    def __init__(self, session: Session, flat, province_code: int, ward_code: int, config):
        self.session = session
        self.flat = flat
        self.free_threshold = flat.free_threshold
        self.config = config
        self.destination = Place(
            name="",
            phone="",
            street="",
            ward_code=ward_code,
            ward_name=places.ward_name(ward_code),
            province_code=province_code,
            province_name=places.province_name(province_code),
        )
        self.quotes: dict[int, Quote] = {}

    def fee_for(self, subtotal: int) -> int:
        return self.flat.fee_for(subtotal)

    def price_groups(self, groups) -> None:
        setups = setups_for(self.session, [group.producer.id for group in groups])
        for group in groups:
            live_lines = [view for view in group.lines if not view.unavailable]
            weight = max(parcel_weight_grams(live_lines), 1)
            setup = setups[group.producer.id]
            if not setup.accounts:
                # No carrier: the shop's flat policy as the caller configured it.
                route = route_for(group.producer, self.destination.province_code)
                quote = Quote(
                    carrier=STANDARD,
                    service="flat",
                    fee=self.flat.fee,
                    charged=self.flat.fee_for(group.subtotal),
                    eta_days=RATE_CARDS["ghtk"].eta_days(route),
                    weight_grams=weight,
                )
                self.quotes[group.producer.id] = quote
                group.shipping_fee = quote.charged
                continue
            quote = quote_parcel(
                group.producer,
                setup,
                self.destination,
                weight,
                group.subtotal,
                self.config,
                live=bool(self.config.get("SHIPPING_LIVE_QUOTES")),
            )
            self.quotes[group.producer.id] = quote
            group.shipping_fee = quote.charged


def policy_for(session: Session, flat, province_code, ward_code, config):
    """The routed policy for a valid destination, else the flat one (no ward chosen yet)."""
    if not places.is_valid_place(province_code, ward_code):
        return flat
    return RoutedShipping(session, flat, province_code, ward_code, config)
