"""Flask CLI commands of this feature; storefront.cli registers everything in `commands`."""

commands: list = []
