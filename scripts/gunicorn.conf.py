"""gunicorn settings of the web app, shared by `make run` (scripts/run.sh), docker-compose and
bench/tiles_bench.py (the bind address is given on the command line).

The threaded worker keeps HTTP/1.1 connections open between requests: a map fetches dozens of
tiles a second over a few connections, where the sync worker closes every connection after one
response.
"""
import os

worker_class = "gthread"
workers = 3
threads = 2
keepalive = 5  # seconds an idle connection stays open (gunicorn's default is 2)
accesslog = "-"
# Each worker touches its heartbeat file on every loop turn; on a disk filesystem (ext4: a journal
# entry each time) that cost as much CPU per tile as the affine fit. In memory it is a few µs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
