"""Gapless register numbers per issuer, year and register.

The counter row is created if missing (INSERT … ON CONFLICT DO NOTHING, so two first-of-the-year
registrations cannot both insert it), then locked with SELECT … FOR UPDATE for the rest of the
caller's transaction: concurrent registrations queue on the lock, and a rolled-back registration
gives its number back, so numbers are unique and without gaps.
"""
from __future__ import annotations

from django.db import connection, transaction

from permits.models import RegisterCounter


def next_number(*, issuer_id: int, year: int, register: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the registering transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RegisterCounter._meta.db_table} (issuer_id, year, register, last_number) "
            "VALUES (%s, %s, %s, 0) ON CONFLICT (issuer_id, year, register) DO NOTHING",
            [issuer_id, year, register],
        )
    counter = RegisterCounter.objects.select_for_update().get(issuer_id=issuer_id, year=year, register=register)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
