#!/usr/bin/env python3
"""Adds the tag Webinar (blue) to every contact of a CSV with a contact_id
column, eight requests at a time, with asyncio and the standard library
only. On 429 a request sleeps as long as Retry-After says, then tries again;
any other error is reported and the row is not retried.

    TALKTOHUMANS_API_KEY=... TALKTOHUMANS_BASE_URL=https://api.talktohumans.app \
        python3 asyncio_bulk.py contacts.csv

Exits 1 when a row failed.
"""

import asyncio
import csv
import email.utils
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

CONCURRENCY = 8
BODY = json.dumps({"tags": {"add": [{"name": "Webinar", "color": "blue"}]}}).encode()
# When a 429 has no usable Retry-After.
DEFAULT_WAIT = 1.0


def retry_after_seconds(value):
    """Retry-After is seconds or an HTTP date (RFC 9110)."""
    if value is None:
        return DEFAULT_WAIT
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return DEFAULT_WAIT


class Api:
    """Blocking calls over one keep-alive connection per worker thread, run
    in a pool as large as the semaphore: asyncio.to_thread's default pool
    has min(32, cores + 4) threads, fewer than 8 on a small machine."""

    def __init__(self, base_url, key):
        url = urllib.parse.urlsplit(base_url)
        self.connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        self.netloc = url.netloc
        self.prefix = url.path.rstrip("/")
        self.headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        }
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=CONCURRENCY)

    def _patch(self, contact_id):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.connection_class(self.netloc, timeout=30)
            self.local.connection = connection
        path = f"{self.prefix}/v1/contacts/{urllib.parse.quote(contact_id, safe='')}"
        try:
            connection.request("PATCH", path, BODY, self.headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            raise
        return response.status, response.getheader("Retry-After")

    async def patch(self, contact_id):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self._patch, contact_id)


async def update(api, semaphore, contact_id, stats):
    async with semaphore:
        while True:
            try:
                status, retry_after = await api.patch(contact_id)
            except (OSError, http.client.HTTPException) as error:
                print(f"{contact_id}: {error}", file=sys.stderr)
                stats["failed"] += 1
                return
            if status == 429:
                stats["rate_limited"] += 1
                await asyncio.sleep(retry_after_seconds(retry_after))
                continue
            if 200 <= status < 300:
                stats["updated"] += 1
            else:
                print(f"{contact_id}: HTTP {status}", file=sys.stderr)
                stats["failed"] += 1
            return


async def main(path):
    key = os.environ.get("TALKTOHUMANS_API_KEY")
    if not key:
        sys.exit("set TALKTOHUMANS_API_KEY")
    base_url = os.environ.get("TALKTOHUMANS_BASE_URL", "https://api.talktohumans.app")
    with open(path, newline="") as file:
        contact_ids = [row["contact_id"] for row in csv.DictReader(file)]
    api = Api(base_url, key)
    semaphore = asyncio.Semaphore(CONCURRENCY)
    stats = {"updated": 0, "failed": 0, "rate_limited": 0}
    started = time.monotonic()
    await asyncio.gather(*(update(api, semaphore, c, stats) for c in contact_ids))
    elapsed = time.monotonic() - started
    print(
        f"updated {stats['updated']} of {len(contact_ids)}, failed {stats['failed']}, "
        f"429s {stats['rate_limited']}, {elapsed:.1f} s"
    )
    api.pool.shutdown()
    return 1 if stats["failed"] else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} CONTACTS.csv")
    sys.exit(asyncio.run(main(sys.argv[1])))
