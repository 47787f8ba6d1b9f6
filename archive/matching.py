"""An archive act's parcel: by cadastral number in the issuer's UATs, else by address, else none.

Addresses are compared as (street, house number) keys: lower case, without diacritics (ș/ş, ț/ţ, ă,
â, î), without the street type ("Str.", "Strada", "Bd.", "Bulevardul"… are one and are dropped) and
without the locality (the part after the comma holding the number). A key that names one parcel
matches; none or several (an ambiguous address) send the act to the review queue.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from parcels.models import UAT, Issuer, Parcel

STREET_TYPES = {
    "str", "strada", "bd", "bld", "bdul", "blvd", "bulevardul", "b-dul", "cal", "calea", "sos", "soseaua",
    "al", "aleea", "p-ta", "pta", "piata", "spl", "splaiul", "intr", "intrarea", "fund", "fundatura", "drum",
    "drumul", "prel", "prelungirea",
}
_NUMBER_WORDS = {"nr", "numarul", "numar", "no"}
_NUMBER = re.compile(r"^\d+[a-z]?$")


def fold(text: str) -> str:
    """Lower case without diacritics (both ș and ş become s)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def address_key(address: str) -> tuple[str, str] | None:
    """(street, number) of an address, e.g. "Str. Mărășești nr. 3A, Bacău" → ("marasesti", "3a")."""
    for part in fold(address).split(","):
        tokens = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", part.replace(".", " "))
        if not any(_NUMBER.match(t) for t in tokens):
            continue
        words = [t for t in tokens if t not in _NUMBER_WORDS]
        marked = [i for i, t in enumerate(tokens[:-1]) if t in _NUMBER_WORDS and _NUMBER.match(tokens[i + 1])]
        if marked:  # "Strada 1 Decembrie 1918 nr. 5": the number is the one after "nr"
            cut = marked[0]
            name, number = [t for t in tokens[:cut] if t not in _NUMBER_WORDS], tokens[cut + 1]
        else:  # "Str. Mărășești 3": the last number
            last = max(i for i, t in enumerate(words) if _NUMBER.match(t))
            name, number = words[:last], words[last]
        if name and name[0] in STREET_TYPES:
            name = name[1:]
        if name:
            return " ".join(name), number
    return None


def cadastral_key(number: str) -> str:
    return re.sub(r"\s+", "", number).removeprefix("nr.").strip()


def issuer_uat_ids(issuer: Issuer) -> list[int]:
    """The UATs whose acts the issuer signs: its own, or for a county council president those of its
    county without an urbanism department of their own (Legea 50/1991 art. 4)."""
    if issuer.kind == Issuer.Kind.PRIMAR and issuer.uat_id:
        return [issuer.uat_id]
    return list(UAT.objects.filter(county=issuer.county, has_urbanism_department=False).values_list("pk", flat=True))


class Matcher:
    """Built once per import: the issuer's parcels by cadastral number and by address key."""

    def __init__(self, issuer: Issuer) -> None:
        self.uat_ids = issuer_uat_ids(issuer)
        self._by_address: dict[tuple[str, str], list[int]] | None = None

    def by_cadastral(self, number: str) -> int | None:
        key = cadastral_key(number)
        if not key:
            return None
        ids = list(Parcel.objects.filter(uat_id__in=self.uat_ids, cadastral_number=key).values_list("pk", flat=True)[:2])
        return ids[0] if len(ids) == 1 else None

    def by_address(self, address: str) -> int | None:
        key = address_key(address)
        if key is None:
            return None
        if self._by_address is None:
            index: dict[tuple[str, str], list[int]] = defaultdict(list)
            rows = Parcel.objects.filter(uat_id__in=self.uat_ids).exclude(address="").values_list("pk", "address")
            for pk, parcel_address in rows.iterator(chunk_size=5000):
                parcel_key = address_key(parcel_address)
                if parcel_key is not None:
                    index[parcel_key].append(pk)
            self._by_address = index
        ids = self._by_address.get(key, [])
        return ids[0] if len(ids) == 1 else None

    def match(self, *, cadastral_number: str, address: str) -> tuple[int | None, str]:
        if cadastral_number and (pk := self.by_cadastral(cadastral_number)):
            return pk, "cadastral"
        if address and (pk := self.by_address(address)):
            return pk, "address"
        return None, ""
