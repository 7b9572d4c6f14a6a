"""The most common passwords, refused for every new password (sign-up, reset and change).

The list is shipped with the project: common-passwords.txt.gz, the 20,000 passwords Django
ships (BSD licence; provenance and licence in common-passwords.LICENSE). Compared as Django
does, lower-cased and stripped, so "Password12" is as common as "password12".
"""

import functools
import gzip
from pathlib import Path

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@functools.cache
def _common_passwords() -> frozenset[str]:
    # Read once per process, on the first new password (about 20,000 short strings).
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def is_common(password: str) -> bool:
    return password.lower().strip() in _common_passwords()
