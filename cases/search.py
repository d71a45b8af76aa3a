"""Finding parents: how names, phone numbers, emails and postcodes become search tokens.

A parent is stored with tokens; a query is turned into tokens the same way and a parent matches
when it has every token of the query. Only keyed digests of the tokens are stored
(blind indexes, ``pps.crypto.blind_index``): the database holds no searchable plaintext.
Names match on whole words or their leading characters (at least ``MIN_PREFIX``), so "Sar Jon"
finds Sarah Jones.
"""

import re
import unicodedata

from pps.crypto import blind_index

MIN_PREFIX = 2
#: The most parents a search shows. Only this many (and one more, to know there are more) are
#: read from the index, fetched and decrypted, however many match: a common surname in a large
#: service costs what a rare one does, and the page asks for another letter instead.
MAX_RESULTS = 25
MAX_NAME_TOKEN = 30
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def fold(text: str) -> str:
    """Lower case, accents removed: "Zoë O'Brien" -> "zoe o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_words(text: str) -> list[str]:
    return [word for word in re.split(r"[^\w]+", fold(text).replace("'", "")) if word]


def phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def normal_postcode(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").upper())


def parent_tokens(parent) -> set[tuple[str, str]]:
    """Every (kind, value) a parent can be found by."""
    tokens = set()
    for word in name_words(f"{parent.first_name} {parent.last_name}"):
        word = word[:MAX_NAME_TOKEN]
        for end in range(MIN_PREFIX, len(word) + 1):
            tokens.add(("name", word[:end]))
        if len(word) < MIN_PREFIX:
            tokens.add(("name", word))
    digits = phone_digits(parent.phone)
    if len(digits) >= 6:
        tokens.add(("phone", digits))
    if parent.email:
        tokens.add(("email", parent.email.strip().casefold()))
    postcode = normal_postcode(parent.postcode)
    if postcode:
        tokens.add(("postcode", postcode))
        if POSTCODE_RE.match(postcode):
            tokens.add(("postcode", postcode[:-3]))
    return tokens


def query_tokens(query: str) -> set[tuple[str, str]]:
    """The tokens a parent must all have to match ``query``."""
    query = (query or "").strip()[:200]
    if not query:
        return set()
    if "@" in query:
        return {("email", query.casefold())}
    digits = phone_digits(query)
    if len(digits) >= 6 and len(digits) >= len(re.sub(r"[\s()+-]", "", query)) - 1:
        return {("phone", digits)}
    postcode = normal_postcode(query)
    if POSTCODE_RE.match(postcode) or (OUTWARD_RE.match(postcode) and any(c.isdigit() for c in postcode)):
        return {("postcode", postcode)}
    return {("name", word[:MAX_NAME_TOKEN]) for word in name_words(query)}


def stored_tokens(parent) -> set[tuple[str, str]]:
    """What is stored for a parent: keyed digests of its tokens (blind indexes), no plaintext."""
    return {(kind, blind_index(kind, value)) for kind, value in parent_tokens(parent)}


def query_digests(query: str) -> set[tuple[str, str]]:
    """The digests a parent must all have to match ``query``."""
    return {(kind, blind_index(kind, value)) for kind, value in query_tokens(query)}


class Matches(list):
    """The parents a search shows, and whether more matched than are shown (``more``)."""

    def __init__(self, found, *, limit: int):
        super().__init__(found[:limit])
        self.limit = limit
        self.more = len(found) > limit


def first_matches(parent_ids, limit: int):
    """At most ``limit`` + 1 of the matching ``parent_ids`` (a queryset of ids from the token
    index), so that no more parents than that are fetched and decrypted: ``Matches`` shows
    ``limit`` of them and says whether there were more."""
    return parent_ids.order_by("parent_id")[: limit + 1]
