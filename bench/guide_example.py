# Baseline (b) of bench/run: the "Complete example (Python)" of Ditio's "Export Time Data" guide
# (as Ditio publishes it), unchanged in what it does: requests, one token, follow
# continuationToken, keep every record in a list. Only three things differ from the guide:
#   - CLIENT_ID / CLIENT_SECRET come from the environment (the guide leaves them undefined),
#   - the window comes from BENCH_FROM / BENCH_TO, the same window the application's full pass asks,
#   - it times itself (first request to last page) and prints one machine-readable line.
import os
import time

import requests

IDENTITY_BASE = os.environ.get("DITIO_IDENTITY_BASE", "https://identity.ditio.dev")
REPORTING_BASE = os.environ.get("DITIO_REPORTING_BASE", "https://core-api.ditio.dev/reporting")
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]

started = time.perf_counter()

# Authenticate
auth = requests.post(f"{IDENTITY_BASE}/connect/token", data={
    "grant_type": "client_credentials",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "scope": "reportingapiv1",
})
token = auth.json()["access_token"]
headers = {"Authorization": f"Bearer {token}"}

# Fetch all time registrations of the window
records = []
params = {"FromDateTime": os.environ["BENCH_FROM"], "ToDateTime": os.environ["BENCH_TO"]}
pages = 0
while True:
    page = requests.get(
        f"{REPORTING_BASE}/v1/time-registrations",
        headers=headers,
        params=params,
    ).json()
    pages += 1
    records.extend(page["data"])
    continuation = page.get("continuationToken")
    if not continuation:
        break
    params["ContinuationToken"] = continuation

seconds = time.perf_counter() - started
print(f"Exported {len(records)} time registrations")
print(f"records={len(records)} pages={pages} seconds={seconds:.3f} records_per_s={len(records) / seconds:.0f}")
