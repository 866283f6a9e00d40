#!/usr/bin/env python3
"""Server time per page of the web app, with wrk (bench/web.sh runs this).

Reads the launch's env file (bench/web_serve.sh), finds the addresses to time from the app's own
pages (an activity with streams, the first assessment), builds the form bodies of two interview
steps (the warning-sign screen, and a question eight steps in), checks each answers 200, then
runs `wrk --latency` on each and prints a Markdown table of p50 and p99 with the target.
Usage: web_pages.py ENV_FILE OUT_DIR [DURATION] [CONNECTIONS]
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

env_file, out_dir = sys.argv[1], sys.argv[2]
duration = sys.argv[3] if len(sys.argv) > 3 else "5s"
conns = sys.argv[4] if len(sys.argv) > 4 else "1"
env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)
base, cookie, csrf = env["BASE"], env["COOKIE"], env["CSRF"]


def fetch(path, body=None):
    req = urllib.request.Request(base + path, data=body)
    req.add_header("Cookie", cookie)
    if body is not None:
        req.add_header("Origin", base)
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req) as r:
        return r.status, r.read().decode("utf-8", "replace")


class QuestionForm(html.parser.HTMLParser):
    """The hidden fields of the page's question form."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "question" in (a.get("class") or "").split():
            self.inside = True
        elif self.inside and tag == "input" and a.get("type") == "hidden":
            self.fields.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def step_body(page, action):
    p = QuestionForm()
    p.feed(page)
    if not p.fields:
        return None
    return urllib.parse.urlencode(p.fields + [("action", action)])


# The interview: the warning-sign screen answered "none of these", then "don't know" on.
_, page = fetch("/assess")
steps = []
body = step_body(page, "none")
for i in range(8):
    if body is None:
        break
    steps.append(body)
    _, page = fetch("/assess", body.encode())
    body = step_body(page, "dont_know" if 'value="dont_know"' in page else "none")
pages = [
    ("Today", "/", 50),
    ("Assessment start", "/assess", 50),
    ("Past assessments", "/assessments", 50),
    ("One result", "/assessments/1", 50),
    ("Plan", "/plan", 50),
    ("Check-in", "/checkin", 50),
    ("Pain diary", "/diary", 50),
    ("Import", "/import", 50),
    ("Activities", "/activities", 50),
    ("Settings", "/settings", 50),
    ("Training (status)", "/status", 100),
    ("Report", "/report", 100),
]
activity = os.environ.get("ACTIVITY")
if activity:
    pages.insert(9, (f"One activity ({activity}, with streams)", "/activities/" + activity, 50))
posts = [("Interview step 1 (warning signs)", steps[0], 10)]
if len(steps) > 1:
    posts.append((f"Interview step {len(steps)}", steps[-1], 10))

latency = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$")
scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(name, path, body=None):
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    args = ["wrk", "-t1", "-c" + conns, "-d" + duration, "--latency", "-H", "Cookie: " + cookie]
    if body is not None:
        lua = os.path.join(out_dir, slug + ".lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\n')
            f.write("wrk.body = %s\n" % json.dumps(body))
            f.write('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
            f.write('wrk.headers["Origin"] = %s\n' % json.dumps(base))
        args += ["-s", lua]
    out = subprocess.run(args + [base + path], capture_output=True, text=True, check=True).stdout
    open(os.path.join(out_dir, "wrk-" + slug + ".txt"), "w").write(out)
    found = {}
    for line in out.splitlines():
        m = latency.match(line)
        if m:
            found[m.group(1)] = float(m.group(2)) * scale[m.group(3)]
    if "Non-2xx or 3xx responses" in out:
        sys.exit(f"{name}: wrk saw error responses:\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return found.get("50"), found.get("99"), float(rps.group(1)) if rps else 0.0


rows = []
for name, path, target in pages:
    status, _ = fetch(path)
    assert status == 200, f"{path}: {status}"
    rows.append((name, "GET " + path, target) + wrk(name, path))
for name, body, target in posts:
    status, _ = fetch("/assess", body.encode())
    assert status == 200, f"{name}: {status}"
    rows.append((name, "POST /assess", target) + wrk(name, "/assess", body))

print(f"wrk, 1 thread, {conns} connections, {duration} per row; times are milliseconds")
print()
print("| page | request | p50 | p99 | target p99 | met | requests/s |")
print("|---|---|---:|---:|---:|---|---:|")
failed = 0
for name, req, target, p50, p99, rps in rows:
    met = p99 is not None and p99 < target
    failed += not met
    print(f"| {name} | `{req}` | {p50:.2f} | {p99:.2f} | < {target} | {'yes' if met else 'NO'} | {rps:.0f} |")
print()
print(f"{len(rows) - failed} of {len(rows)} rows within their target")
