"""Salesforce-style record ids: 3-char key prefix, 12 more chars, then the 3-char case-safe suffix.

Real 18-char ids end with a checksum of the 15-char id's upper-case letters; code that validates or
converts ids (15 <-> 18) then works on ours too.
"""

from __future__ import annotations

import hashlib

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_INSTANCE = "8d0"  # two pod chars and the reserved char, as in real ids

STANDARD_KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "OpportunityLineItem": "00k",
    "Case": "500",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "Product2": "01t",
    "Pricebook2": "01s",
    "PricebookEntry": "01u",
    "Profile": "00e",
    "UserRole": "00E",
    "Group": "00G",
}
"""Salesforce's key prefixes (the first three characters of every record id of the object)."""


def stable_int(*parts: str) -> int:
    """A process-independent hash (Python's hash() is salted per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def key_prefix(object_name: str) -> str:
    """Standard objects have their real prefix; custom objects get `a0` plus a char from their name."""
    if object_name in STANDARD_KEY_PREFIXES:
        return STANDARD_KEY_PREFIXES[object_name]
    return "a0" + _BASE62[stable_int(object_name) % len(_BASE62)]


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, len(_BASE62))
        chars.append(_BASE62[digit])
    return "".join(reversed(chars))


def checksum_suffix(id15: str) -> str:
    """The 3 chars that make a 15-char id case-insensitively unique (Salesforce's algorithm)."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def make_id(object_name: str, number: int) -> str:
    """The 18-char id of record `number` of an object; distinct numbers give distinct ids."""
    id15 = key_prefix(object_name) + _INSTANCE + _base62(number, 9)
    return id15 + checksum_suffix(id15)


def is_valid_id(value: str) -> bool:
    if len(value) == 15:
        return all(char in _BASE62 for char in value)
    return len(value) == 18 and is_valid_id(value[:15]) and checksum_suffix(value[:15]) == value[15:]
