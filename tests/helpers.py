"""Helpers shared by several test folders (fixtures stay in the conftest files)."""
from __future__ import annotations

import threading

from django.db import connection


def run_in_threads(functions):
    """Start all functions together, each on its own database connection; return results or exceptions in order.

    For transaction=True tests only: each thread commits for real, so row locks and counters race as in
    production. The barrier makes the functions start at the same moment instead of one after the other.
    """
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()  # the thread's own connection, or it stays open after the test

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
