"""The code an authenticator app would show now, for a demo without a phone:

    .venv/bin/python -m pps.totp_code "ABCD EFGH ..."   # the secret printed with the demo logins

Needs no settings or database: it only computes the TOTP code (RFC 6238: SHA-1, 6 digits, 30 s)
from the secret. Anyone who holds a secret can do the same, so keep real ones out of files.
"""

import sys
from base64 import b32decode

from django_otp.oath import totp


def code(secret: str) -> str:
    key = b32decode("".join(secret.split()).upper())
    return f"{totp(key):06d}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(code(sys.argv[1]))
