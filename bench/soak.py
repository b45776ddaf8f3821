"""Memory under load: does a ``leadgate serve --workers 1`` keep a flat RSS through minutes of
mixed traffic? Start, end, peak and slope of the server process's resident memory.

    .venv/bin/python bench/soak.py [--db URL] [--minutes 1] [--warmup 30] [--connections 4]
        [--sample 5]

The issue's figure is ``--minutes 10``. One server (service protection off, so that the load
is the bench's; no job worker) and ``--connections`` threads of this process, each on its own
keep-alive connection, sending in turn as a Salesperson: Web API GETs of a lead by id and of
50-row pages, creates of leads, PATCHes and QualifyLead actions on the leads the thread made,
and browser pages (the Leads grid and a lead's form) with a session cookie from signing in
through /signin. The server's RSS (/proc/<pid>/status) is sampled every ``--sample`` seconds;
the samples of the ``--warmup`` seconds are left out. Printed for the whole RSS and for its
anonymous part (the heap: what a leak grows; the rest is files mapped, SQLite's database
among them under PRAGMA mmap_size, whose pages count as they are read, up to the mapping's
size): the start (after the warm-up), the end, the peak, the least-squares slope in MiB a
minute, and a verdict: flat if the end is at most 1.1x the start and the fitted growth over
the run is under 10% of the start. Every answer that is not 2xx is counted as an error, by
kind of request.

On PostgreSQL give a fresh, empty database; the bench installs the organization in it.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import itertools
import json
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from _served import API, salesperson_token
from web_multiple import LEAD
from web_workers import serve_with

from leadgate.platform import EntityReference, Organization
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.ui.sessions import SESSION_COOKIE

PASSWORD = "soak bench password"
SEED_LEADS = 200
# One thread's round: what each kind of request is, in the proportions sent.
ROUND = ("get", "page", "create", "get", "patch", "grid", "create", "qualify", "get", "form")
SELECT = "$select=subject,lastname,companyname,emailaddress1"
QUALIFY = {"CreateAccount": True, "CreateContact": True, "CreateOpportunity": True, "Status": 3}


MEASURES = ("VmRSS", "RssAnon")  # the whole resident set, and its anonymous part


def rss_kib(pid: int, measure: str = "VmRSS") -> int:
    """The process's resident set size (or ``measure`` of /proc/<pid>/status), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{measure}:\s+(\d+) kB", status, re.MULTILINE)
    if found is None:
        raise SystemExit(f"no {measure} for process {pid}")
    return int(found.group(1))


def sample(pid: int, minutes: float) -> tuple[float, ...]:
    """(minutes, MiB of each of MEASURES)."""
    return (minutes, *(rss_kib(pid, measure) / 1024 for measure in MEASURES))


def session_cookie(port: int, email: str) -> str:
    """Sign in through the browser app's form; the session cookie it sets."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/signin").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("the sign-in page has no CSRF token")
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token.group(1)}).encode()  # fmt: skip
    opener.open(f"{base}/signin", data=form).read()
    for cookie in jar:
        if cookie.name == SESSION_COOKIE:
            return f"{SESSION_COOKIE}={cookie.value}"
    raise SystemExit("signing in set no session cookie")


class Load:
    """The clients' shared tallies, and the leads anyone may read."""

    def __init__(self, port: int, token: str, cookie: str, leads: list[str]) -> None:
        self.port, self.cookie, self.leads = port, cookie, leads
        self.api = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                    "Content-Type": "application/json", "OData-Version": "4.0"}  # fmt: skip
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.first_errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def client(self, number: int) -> None:
        """One keep-alive connection sending ROUND over and over until stopped."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        mine: list[str] = []  # this thread's open leads: only it patches and qualifies them
        serial = itertools.count()
        for kind in itertools.cycle(ROUND):
            if self.stop.is_set():
                break
            method, path, body, headers = self.request(kind, mine, next(serial), number)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                status, answer = response.status, response.read()
            except (OSError, http.client.HTTPException) as failure:  # counted, then reconnect
                connection.close()
                status, answer = 0, repr(failure).encode()
            with self.lock:
                self.counts[kind] += 1
                if not 200 <= status < 300:
                    self.errors[kind] += 1
                    if len(self.first_errors) < 5:
                        self.first_errors.append(f"{kind} {method} {path}: {status} "
                                                 f"{answer[:200]!r}")  # fmt: skip
                    continue
            if kind == "create":
                created = response.getheader("OData-EntityId", "")
                lead = created[created.rindex("(") + 1 : -1]
                mine.append(lead)
                with self.lock:
                    self.leads.append(lead)
        connection.close()

    def request(self, kind: str, mine: list[str], serial: int,
                number: int) -> tuple[str, str, bytes | None, dict[str, str]]:  # fmt: skip
        """The request of one ``kind``: (method, path, body, headers)."""
        some = self.leads[serial * 7919 % len(self.leads)]
        if kind == "get":
            return "GET", f"{API}/leads({some})?{SELECT}", None, self.api
        if kind == "page":
            return "GET", f"{API}/leads?{SELECT}&$top=50&$orderby=createdon%20desc", None, self.api
        if kind == "create":
            body = {**LEAD, "subject": f"Soak {number}-{serial}"}
            return "POST", f"{API}/leads", json.dumps(body).encode(), self.api
        browser = {"Cookie": self.cookie, "Accept": "text/html"}
        if kind == "grid":
            return "GET", "/app/leads", None, browser
        if kind == "form":
            return "GET", f"/app/leads/{some}", None, browser
        if kind == "patch":
            body = {"description": f"Called back, round {serial}"}
            return "PATCH", f"{API}/leads({mine[-1]})", json.dumps(body).encode(), self.api
        lead = mine.pop()  # qualify: the thread's newest open lead, once
        path = f"{API}/leads({lead})/Microsoft.Dynamics.CRM.QualifyLead"
        return "POST", path, json.dumps(QUALIFY).encode(), self.api


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minutes, MiB): MiB a minute."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def verdict(name: str, points: list[tuple[float, float]]) -> None:
    """Start, end, peak, slope and flat or not, of one measure's (minutes, MiB)."""
    start, end = points[0][1], points[-1][1]
    peak = max(mib for _, mib in points)
    rate = slope(points)
    span = points[-1][0] - points[0][0]
    flat = end <= start * 1.1 and rate * span <= start * 0.1
    print(f"{name}: start {start:.1f} MiB, end {end:.1f} MiB ({end / start:.3f}x), peak "
          f"{peak:.1f} MiB; slope {rate:+.2f} MiB a minute over {span:.1f} min: "
          f"{'flat' if flat else 'GROWING'}")  # fmt: skip


def run(load: Load, pid: int, options: argparse.Namespace) -> list[tuple[float, ...]]:
    """The load for ``--minutes``; the samples after the warm-up (see ``sample``)."""
    threads = [threading.Thread(target=load.client, args=(n,)) for n in range(options.connections)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    samples: list[tuple[float, ...]] = []
    while (now := time.monotonic() - began) < options.minutes * 60:
        if now >= options.warmup:
            samples.append(sample(pid, now / 60))
        time.sleep(options.sample)
        if not all(thread.is_alive() for thread in threads):
            break
    samples.append(sample(pid, (time.monotonic() - began) / 60))
    load.stop.set()
    for thread in threads:
        thread.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--minutes", type=float, default=1.0, help="length of the load")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds left unsampled")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        with Organization.create(url) as organization:
            user_id, token = salesperson_token(organization)
            system = organization.system_service()
            system.execute(SetPasswordRequest(EntityReference("systemuser", user_id), PASSWORD))
            email = system.retrieve("systemuser", user_id, ["internalemailaddress"])
            service = organization.service(user_id)
            leads = [str(service.create("lead", dict(LEAD))) for _ in range(SEED_LEADS)]
        process, port = serve_with(url, 1)
        try:
            load = Load(port, token, session_cookie(port, email["internalemailaddress"]), leads)
            started_kib = rss_kib(process.pid)
            samples = run(load, process.pid, options)
        finally:
            process.terminate()
            process.wait(30)
    print(f"Soak of leadgate serve --workers 1 on {backend}: {options.minutes:g} min of mixed "
          f"load from {options.connections} keep-alive connections, as a Salesperson")  # fmt: skip
    total = sum(load.counts.values())
    print(f"requests: {total} ({total / (options.minutes * 60):.1f}/s): " + ", ".join(
        f"{kind} {load.counts[kind]}" for kind in dict.fromkeys(ROUND)))  # fmt: skip
    print(f"errors (not 2xx): {sum(load.errors.values())}"
          + "".join(f", {kind} {n}" for kind, n in load.errors.items()))  # fmt: skip
    for error in load.first_errors:
        print(f"  {error}")
    if len(samples) < 2:
        raise SystemExit("the run ended before two samples after the warm-up")
    print(f"server RSS before the load: {started_kib / 1024:.1f} MiB; {len(samples)} samples "
          f"after the {options.warmup:g} s warm-up (flat: end <= 1.1x start, fitted growth "
          f"< 10% of start)")  # fmt: skip
    for index, name in enumerate(("RSS", "anonymous RSS (heap)"), start=1):
        verdict(name, [(point[0], point[index]) for point in samples])
    print("  minutes    RSS MiB  anon MiB")
    for point in samples[:: max(1, len(samples) // 10)]:
        print(f"  {point[0]:7.2f} {point[1]:10.1f} {point[2]:9.1f}")
    if load.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
