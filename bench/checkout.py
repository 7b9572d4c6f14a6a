"""place_order throughput on PostgreSQL (filled in when the checkout feature lands)."""


class CheckoutUnavailable(Exception):
    pass


def run(args, workdir, log):
    try:
        from storefront.orders import checkout  # noqa: F401
    except ImportError as error:
        raise CheckoutUnavailable("storefront.orders.checkout is not there yet") from error
    raise CheckoutUnavailable("not implemented yet")
