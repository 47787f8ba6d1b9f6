"""Benchmark: notification enqueue cost and delivery throughput (issue 5, "Performance").

Usage: .venv/bin/python bench/notifications_bench.py [--applications 1000] [--workers 2] [--concurrency 16]

1. Enqueue cost. In the database `bench_notifications` (created and migrated on the project's
   cluster), each of N transactions updates a stand-in application row and calls one
   notify_many() for 5 institutions (what avize does when an application reaches the avize stage).
   The same transactions without it are timed in the same run, interleaved; the difference per
   transaction is what enqueueing adds to a transition. Variants: 5 notify() calls (one per
   institution), and one notify() for 5 users (in-app + e-mail each).
2. Delivery. The N × 5 deliveries (3 institutions by e-mail to a loopback aiosmtpd, 2 by webhook
   to a loopback HTTP receiver that verifies signatures) are delivered by W worker processes
   (`manage.py procrastinate worker`); wall time from launching the workers until the last row is
   delivered, and again from the first delivery. Baseline in the same run: the same messages sent
   directly (smtplib via Django's backend, urllib) from a thread pool, no queue and no database.
Receivers run in a separate process so they do not share a GIL with the sender being measured.
Writes bench/results/notifications.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from procstat import cpu_seconds  # noqa: E402

from gis_portal import devdb  # noqa: E402

DB = "bench_notifications"
# Production settings (DEBUG off: no query logging in the cursor, as in a real deployment).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789")
SECRET = "bench-secret"


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def prepare_database() -> str:
    base = devdb.database_url()
    admin = base.replace("/gis_portal?", "/postgres?")
    url = base.replace("/gis_portal?", f"/{DB}?")
    if not psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"):
        psql(admin, f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": url}
    for app in ("procrastinate", "notifications"):
        subprocess.run([sys.executable, "manage.py", "migrate", app, "--noinput", "--skip-checks", "-v0"],
                       cwd=ROOT, env=env, check=True)
    psql(url, "TRUNCATE notifications_deliveryattempt, notifications_notification, procrastinate_events, "
              "procrastinate_jobs, procrastinate_periodic_defers CASCADE; DELETE FROM procrastinate_workers;")
    return url


def receivers_process(ports: multiprocessing.Queue, stop: multiprocessing.Event, result: multiprocessing.Queue) -> None:
    """Run both receivers until `stop`, then report what they saw."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    import django

    django.setup()
    from tests.notifications.receivers import SmtpReceiver, WebhookReceiver

    smtp = SmtpReceiver().start()
    hook = WebhookReceiver(secret=SECRET).start()
    ports.put((smtp.port, hook.url))
    stop.wait()
    seen = {"smtp_messages": len(smtp.messages), "smtp_unique_message_ids": len(smtp.by_message_id),
            "smtp_duplicates": smtp.duplicates, "webhook_requests": len(hook.requests),
            "webhook_unique_keys": len(hook.keys_seen()), "webhook_bad_signatures": hook.bad_signatures}
    smtp.stop()
    hook.stop()
    result.put(seen)


class Receivers:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.ports, self.result, self.stop_event = ctx.Queue(), ctx.Queue(), ctx.Event()
        self.proc = ctx.Process(target=receivers_process, args=(self.ports, self.stop_event, self.result))
        self.proc.start()
        self.smtp_port, self.webhook_url = self.ports.get(timeout=60)

    def stop(self) -> dict:
        self.stop_event.set()
        seen = self.result.get(timeout=60)
        self.proc.join(30)
        return seen


def setup_django(url: str, smtp_port: int) -> None:
    os.environ.update({"DATABASE_URL": url, "EMAIL_PORT": str(smtp_port), "EMAIL_HOST": "127.0.0.1",
                       "DJANGO_SETTINGS_MODULE": "gis_portal.settings", "DB_CONN_MAX_AGE": "600"})
    import django

    django.setup()


def make_recipients(webhook_url: str):
    from accounts.models import User
    from institutions.models import Institution

    institutions = []
    for k in range(5):
        inst, _ = Institution.objects.update_or_create(
            code=f"bench-inst-{k}", defaults={
                "name": f"Bench institution {k}", "kind": "other",
                "email": f"inst{k}@bench.local" if k < 3 else "",
                "webhook_url": webhook_url if k >= 3 else "", "webhook_secret": SECRET})
        institutions.append(inst)
    users = []
    for k in range(5):
        user, _ = User.objects.get_or_create(username=f"bench-user-{k}", defaults={"email": f"u{k}@bench.local"})
        users.append(user)
    return institutions, users


def backend_pids(*, exclude_own: bool = True) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                       "CASE WHEN %s THEN pg_backend_pid() ELSE 0 END", [exclude_own])
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds spent by this process and its own Postgres backend between start() and stop()."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]
        self.client = self.server = 0.0

    def measure(self, fn):
        c0, s0 = time.process_time(), cpu_seconds(self.backend)
        result = fn()
        self.client += time.process_time() - c0
        self.server += cpu_seconds(self.backend) - s0
        return result


def time_transactions(n: int, body) -> list[float]:
    from django.db import connection, transaction

    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE bench_application SET status = %s, version = version + 1 WHERE id = %s",
                               [f"s{i}", i % 1000])
            body(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"n": len(samples), "median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3), "mean_ms": round(statistics.fmean(ordered), 3)}


def enqueue_phase(applications: int, institutions, users) -> dict:
    from django.db import connection

    from notifications.models import Notification
    from notifications.services import notify, notify_many

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_application (id int PRIMARY KEY, status text, version int)")
        cursor.execute("TRUNCATE bench_application")
        cursor.execute("INSERT INTO bench_application SELECT g, 'draft', 0 FROM generate_series(0, 999) g")

    def items(i: int, prefix: str) -> list[dict]:
        return [{"event": "aviz_requested", "institution": inst, "idempotency_key": f"{prefix}:{i}:{inst.code}",
                 "context": {"application_number": f"AC-2026-{i:05d}", "uat": "Bacău", "due_date": "2026-06-30"}}
                for inst in institutions]

    def per_institution(i: int) -> None:  # what avize does: one notify_many for every institution asked
        notify_many(items=items(i, "aviz_requested"))

    def five_calls(i: int) -> None:  # the same with one notify() per institution, for comparison
        for item in items(i, "five_calls"):
            notify(**item)

    # Warm-up (connections, template and query caches), then interleave to share the machine's noise.
    time_transactions(20, lambda i: None)
    bare, with_notify = [], []
    cpu_bare, cpu_notify = CpuMeter(), CpuMeter()
    for block in range(applications // 100):
        bare += cpu_bare.measure(lambda: time_transactions(100, lambda i: None))
        with_notify += cpu_notify.measure(
            lambda b=block: time_transactions(100, lambda i: per_institution(b * 100 + i)))
    cpu_added_ms = ((cpu_notify.client + cpu_notify.server) - (cpu_bare.client + cpu_bare.server)) / applications * 1000
    queued = Notification.objects.filter(status="pending").count()

    def five_users(i: int) -> None:
        notify(event="application_status_changed", users=users, idempotency_key=f"status:{i}",
               context={"application_number": f"CU-{i}", "new_status": "submitted"})

    users_samples = time_transactions(200, five_users)
    five_calls_samples = time_transactions(200, five_calls)
    Notification.objects.filter(idempotency_key__regex=r"^(status|five_calls):").update(status="delivered")
    with connection.cursor() as cursor:  # the variants are not part of the delivery run
        cursor.execute("DELETE FROM procrastinate_jobs j USING notifications_notification n "
                       "WHERE n.id = (j.args->'notification_ids'->>0)::bigint "
                       "AND (n.idempotency_key LIKE 'status:%%' OR n.idempotency_key LIKE 'five_calls:%%')")
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
        queued_jobs = cursor.fetchone()[0]
    added = statistics.median(with_notify) - statistics.median(bare)
    return {"transaction_without_notify": summary(bare), "transaction_with_notify_many_5_institutions": summary(with_notify),
            "transaction_with_5_notify_calls": summary(five_calls_samples),
            "added_median_ms_5_notify_calls": round(statistics.median(five_calls_samples) - statistics.median(bare), 3),
            "added_median_ms": round(added, 3), "transaction_with_notify_5_users": summary(users_samples),
            "added_median_ms_5_users": round(statistics.median(users_samples) - statistics.median(bare), 3),
            "queued_deliveries": queued, "queued_delivery_jobs": queued_jobs,
            # Load-independent: CPU (client process + its Postgres backend) added per transition.
            "cpu_added_ms_per_transition": round(cpu_added_ms, 3),
            "cpu_ms_per_transition_client_server_with_notify": [
                round(cpu_notify.client / applications * 1000, 3), round(cpu_notify.server / applications * 1000, 3)],
            "cpu_ms_per_transition_client_server_bare": [
                round(cpu_bare.client / applications * 1000, 3), round(cpu_bare.server / applications * 1000, 3)]}


def delivery_phase(url: str, workers: int, concurrency: int, expected: int) -> dict:
    from django.db.models import Count

    from notifications.models import Notification

    env = {**os.environ, "WORKER_POLL_SECONDS": "0.5"}
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "manage.py", "procrastinate", "--skip-checks", "worker",
                               "--queues", "notifications", "--concurrency", str(concurrency)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    first = None
    try:
        while True:
            done = Notification.objects.filter(status="delivered", channel__in=["email", "webhook"],
                                               idempotency_key__startswith="aviz_requested:").count()
            if done and first is None:
                first = time.perf_counter()
            if done >= expected or time.perf_counter() - t0 > 600:
                break
            time.sleep(0.1)
        end = time.perf_counter()
        # CPU of the workers (all their threads) and of their Postgres backends, before they exit.
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs)
        server_cpu = sum(cpu_seconds(pid) for pid in backend_pids())
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    counts = dict(Notification.objects.filter(idempotency_key__startswith="aviz_requested:")
                  .values_list("status").annotate(n=Count("id")))
    return {"workers": workers, "concurrency_per_worker": concurrency, "deliveries": expected,
            "delivered": done, "seconds_from_worker_launch": round(end - t0, 2),
            "seconds_from_first_delivery": round(end - (first or end), 2),
            "deliveries_per_second": round(done / (end - t0), 1), "status_counts": counts,
            "cpu_seconds_workers": round(worker_cpu, 2), "cpu_seconds_postgres_backends": round(server_cpu, 2),
            # Lower bound of the wall time on an otherwise idle 2-core machine (receivers excluded).
            "cpu_bound_seconds_on_2_idle_cores": round((worker_cpu + server_cpu) / 2, 2)}


def baseline_phase(expected: int, threads: int, smtp_port: int, webhook_url: str) -> dict:
    """Send the same mix directly from a thread pool: no queue, no database, no delivery log."""
    from django.core.mail import EmailMessage, get_connection

    from notifications.channels import sign

    def send(i: int) -> None:
        if i % 5 < 3:
            message = EmailMessage(subject="Solicitare de aviz", body="text", to=[f"inst{i % 5}@bench.local"],
                                   headers={"Message-ID": f"<baseline-{i}@bench>"})
            with get_connection(host="127.0.0.1", port=smtp_port) as connection:
                connection.send_messages([message])
        else:
            import urllib.request
            body = json.dumps({"id": f"baseline-{i}", "event": "aviz_requested"}).encode()
            request = urllib.request.Request(webhook_url, data=body, method="POST", headers={
                "Content-Type": "application/json", "Idempotency-Key": f"baseline-{i}",
                "X-Signature": sign(secret=SECRET, timestamp=int(time.time()), body=body)})
            urllib.request.urlopen(request, timeout=10).close()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(expected)))
    seconds = time.perf_counter() - t0
    return {"threads": threads, "messages": expected, "seconds": round(seconds, 2),
            "messages_per_second": round(expected / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    url = prepare_database()
    receivers = Receivers()
    setup_django(url, receivers.smtp_port)
    institutions, users = make_recipients(receivers.webhook_url)
    expected = args.applications * len(institutions)

    enqueue = enqueue_phase(args.applications, institutions, users)
    print("enqueue:", json.dumps(enqueue, indent=1))
    delivery = delivery_phase(url, args.workers, args.concurrency, expected)
    print("delivery:", json.dumps(delivery, indent=1))
    baseline = baseline_phase(expected, args.workers * args.concurrency, receivers.smtp_port, receivers.webhook_url)
    print("baseline:", json.dumps(baseline, indent=1))
    seen = receivers.stop()
    print("receivers:", seen)
    load = os.getloadavg()
    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_start": load_at_start, "load_average_at_end": [round(x, 2) for x in load]},
        "applications": args.applications, "institutions": 5, "enqueue": enqueue, "delivery": delivery,
        "baseline_direct_send": baseline,
        "delivery_vs_direct_send_ratio": round(delivery["seconds_from_first_delivery"] / baseline["seconds"], 2),
        # Receivers counted both runs; the delivery run alone is total minus the baseline's messages.
        "receivers": seen,
        "targets": {"deliveries_within_s": 60, "enqueue_added_ms": 2},
    }
    out = ROOT / "bench" / "results" / "notifications.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
