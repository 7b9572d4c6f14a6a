DEMO_ACCOUNTS: list = []


def seed_demo() -> int:
    return 0
