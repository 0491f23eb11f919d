"""Values every importer normalises the same way: names, addresses, UUIDs, environments, tiers.

Each parser returns the canonical value, None for an empty input, or raises ValueError with a
message fit to show next to the file/row/column.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from functools import lru_cache
from typing import Iterable

from migrate.inventory.model import Application, DATA_CLASSIFICATIONS, ENVIRONMENTS, Server, TIERS

_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_FQDN = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})+\.?")
_LIST_SEPARATORS = re.compile(r"[,;\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

ENVIRONMENT_ALIASES = {
    "prd": "prd", "prod": "prd", "production": "prd", "live": "prd", "prd1": "prd",
    "tst": "tst", "test": "tst", "testing": "tst", "qa": "tst", "uat": "tst", "stage": "tst", "staging": "tst",
    "stg": "tst", "sup": "tst", "support": "tst",
    "dev": "dev", "development": "dev", "develop": "dev",
    "trn": "trn", "train": "trn", "training": "trn", "trng": "trn",
    "rel": "rel", "release": "rel",
    "poc": "poc", "proof of concept": "poc", "sandbox": "poc", "demo": "poc", "demonstration": "poc", "lab": "poc",
    "dr": "dr", "disaster recovery": "dr", "bcp": "dr", "business continuity": "dr",
}
"""Common spellings → the model's environments (`sup`, Epic's support environment, is a test tier)."""

CLASSIFICATION_ALIASES = {"phi": "phi", "ephi": "phi", "pii": "pii", "internal": "internal", "public": "public"}
POWER_STATES = {"poweredon": "on", "on": "on", "running": "on", "poweredoff": "off", "off": "off",
                "stopped": "off", "suspended": "suspended", "paused": "suspended", "unknown": "unknown"}


def host_name(text: str | None) -> tuple[str, str | None]:
    """A server name as written → (short name, fqdn or None). `EPICDB01.corp.org` → (`EPICDB01`, `epicdb01.corp.org`).

    Raises ValueError for an empty name or one with control characters.
    """
    if text is None or not text.strip():
        raise ValueError("the server name is empty")
    text = text.strip()
    if _CONTROL.search(text):
        raise ValueError("the server name contains control characters")
    if len(text) > 255:
        raise ValueError("the server name is longer than 255 characters")
    if _FQDN.fullmatch(text) and not _is_ip(text) and not text.split(".")[0].isdigit():
        return text.split(".")[0], text.rstrip(".").lower()
    return text, None


def fqdn(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip().rstrip(".")
    if not _FQDN.fullmatch(text) and not re.fullmatch(_HOST_LABEL, text):
        raise ValueError(f"is not a DNS name: {text[:60]!r}")
    return text.lower()


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")


def _plain_ipv4(text: str) -> bool:
    """A dotted quad already in canonical form (the common case, checked without `ipaddress`)."""
    return _IPV4.fullmatch(text) is not None


def ip_list(text: str | None) -> tuple[str, ...]:
    """`10.0.0.1, 10.0.0.2;fe80::1` → canonical addresses in order, without duplicates."""
    if not text:
        return ()
    found: list[str] = []
    for item in _LIST_SEPARATORS.split(text.strip()):
        if not item:
            continue
        if not _plain_ipv4(item):
            try:
                item = str(ipaddress.ip_address(item))
            except ValueError:
                raise ValueError(f"{item[:60]!r} is not an IP address") from None
        address = item
        if address not in found:
            found.append(address)
    return tuple(found)


def vm_uuid(text: str | None) -> str | None:
    """A VM UUID in canonical lower-case form; other identifiers are kept as written, lower-cased."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if _CANONICAL_UUID.fullmatch(text):  # as RVTools writes them: already what uuid.UUID would print
        return text
    try:
        return str(uuid.UUID(text.strip("{}")))
    except ValueError:
        if _CONTROL.search(text) or len(text) > 128:
            raise ValueError(f"is not a VM identifier: {text[:60]!r}") from None
        return text.lower()


def environment(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    key = re.sub(r"[\s_-]+", " ", text.strip().casefold())
    if key in ENVIRONMENT_ALIASES:
        return ENVIRONMENT_ALIASES[key]
    raise ValueError(f"unknown environment {text[:40]!r} (expected one of {', '.join(ENVIRONMENTS)})")


def tier(value: object) -> int | None:
    """0-3, also written `tier 1`, `T1` or `1.0`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"tier must be one of {', '.join(map(str, TIERS))}, got {value!r}")
    text = str(value).strip().casefold()
    text = re.sub(r"^(tier|t)\s*", "", text)
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if number in TIERS:
        return int(number)
    raise ValueError(f"tier must be one of {', '.join(map(str, TIERS))} (0 = life-critical), got {str(value)[:40]!r}")


def classification(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    key = text.strip().casefold()
    if key in CLASSIFICATION_ALIASES:
        return CLASSIFICATION_ALIASES[key]
    raise ValueError(f"unknown data classification {text[:40]!r} (expected one of {', '.join(DATA_CLASSIFICATIONS)})")


@lru_cache(maxsize=256)  # a handful of spellings over every row of an export
def power_state(text: str | None) -> str:
    if text is None or not text.strip():
        return "unknown"
    key = re.sub(r"[\s_-]+", "", text.strip().casefold())
    if key in POWER_STATES:
        return POWER_STATES[key]
    raise ValueError(f"unknown power state {text[:40]!r} (expected on, off, suspended or poweredOn, poweredOff)")


def firmware(text: str | None) -> str | None:
    """`BIOS` → `bios`; `EFI`/`UEFI` → `efi`; anything else lower-cased."""
    if text is None or not text.strip():
        return None
    key = text.strip().casefold()
    return "efi" if key in ("efi", "uefi") else key


def names(text: str | None) -> tuple[str, ...]:
    """`Epic; Cerner` → (`Epic`, `Cerner`): semicolon- (or comma-) separated names, in order, no duplicates."""
    if not text:
        return ()
    separator = ";" if ";" in text else ","
    found: list[str] = []
    for item in text.split(separator):
        item = item.strip()
        if item and item not in found:
            found.append(item)
    return tuple(found)


def tag_key(header: str) -> str:
    """A column header as a tag key: trimmed, lower-case, inner spaces as `-`."""
    return re.sub(r"\s+", "-", header.strip().lstrip("*").strip().casefold())


def applications_of(servers: Iterable[Server]) -> tuple[Application, ...]:
    """The applications named by servers, each with its servers (sorted by name)."""
    members: dict[str, list[str]] = {}
    for server in servers:
        for name in server.applications:
            members.setdefault(name, []).append(server.name)
    return tuple(Application(name=name, servers=tuple(sorted(set(found), key=str.casefold)))
                 for name, found in sorted(members.items(), key=lambda item: item[0].casefold()))


def add_unique(servers: list[Server], server: Server, row, seen: "Duplicates", *, column: str = "name",
               unit: str = "row") -> None:
    """Append `server` unless its name was already seen in the file (a located problem then) or its
    row has problems. The name is remembered either way, so a later duplicate is still reported."""
    first = seen.seen(server.name, row.number)
    if first is not None:
        row.problem(column, f"duplicate server name {server.name!r} (first on {unit} {first})")
    elif row.ok:
        servers.append(server)


class Duplicates:
    """Detects a server name (or VM UUID) seen twice in one file; remembers the first row."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}

    def seen(self, key: str, row: int) -> int | None:
        """The row where `key` first appeared, or None (and remember `row`) when it is new."""
        key = key.casefold()
        if key in self.first:
            return self.first[key]
        self.first[key] = row
        return None


# -- credential columns ---------------------------------------------------------------------------

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_ALWAYS_SECRET = {"password", "passwd", "passwords", "pwd", "passphrase", "secret", "secrets", "token", "tokens",
                  "credential", "credentials", "apikey", "privatekey", "passcode", "pin"}
_SECRET_KEY_QUALIFIERS = {"api", "access", "secret", "private", "encryption", "ssh", "license", "licence",
                          "product", "auth", "authentication", "shared", "subscription", "storage", "account",
                          "recovery", "bitlocker", "activation", "signing", "master", "client", "sas"}
_CONNECTION = ("connection", "string")


def header_words(header: str) -> list[str]:
    """`AdminPassword` → [admin, password]; `api_key` → [api, key]; `SSH-Key 2` → [ssh, key, 2]."""
    return [word.casefold() for word in _WORDS.findall(header)]


def is_credential_header(header: str) -> bool:
    """Whether a column, by its header, holds credentials: such a column is never stored as a tag.

    The rule, on the header's words (split at spaces, punctuation and camelCase):
    - any of password, passwd, pwd, passphrase, passcode, pin, secret, token, credential(s), apikey,
      privatekey: a credential (`Admin Password`, `Bearer token`, `client_secret`, `BitLocker PIN`);
    - `key` only when alone or qualified as a secret: api, access, secret, private, ssh, encryption,
      license/product/activation, auth, shared, storage, account, subscription, recovery/BitLocker,
      signing, master, client, SAS (`API Key`, `ssh_key`, `License key`); identifiers named key are
      not (`Primary Key`, `Disk Key` and `min Required EVC Mode Key` in RVTools, `Sort key`);
    - `connection string`: it embeds passwords.
    """
    words = header_words(header)
    if not words:
        return False
    if _ALWAYS_SECRET.intersection(words):
        return True
    if words == ["key"] or any(word == "key" and i > 0 and words[i - 1] in _SECRET_KEY_QUALIFIERS
                               for i, word in enumerate(words)):
        return True
    return any(words[i:i + 2] == list(_CONNECTION) for i in range(len(words) - 1))


def without_credentials(columns: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], tuple[str, ...]]:
    """(index, header) of tag columns less the credential-like ones, and one warning per column dropped."""
    kept = [(i, h) for i, h in columns if not is_credential_header(h)]
    dropped = tuple(f"column {h[:80]!r} looks like a credential: dropped, not stored as a tag (rename the column "
                    "if it is not one)" for i, h in columns if is_credential_header(h))
    return kept, dropped
