import os
import requests

IDENTITY_BASE = os.environ.get("DITIO_IDENTITY_BASE", "https://identity.ditio.dev")
REPORTING_BASE = os.environ.get("DITIO_REPORTING_BASE", "https://core-api.ditio.dev/reporting")
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]

# Authenticate
auth = requests.post(f"{IDENTITY_BASE}/connect/token", data={
    "grant_type": "client_credentials",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "scope": "reportingapiv1",
})
token = auth.json()["access_token"]
headers = {"Authorization": f"Bearer {token}"}

# Fetch all time registrations for 2-20 November 2026 (inside the simulator's generated weeks)
records = []
params = {"FromDateTime": "2026-11-02", "ToDateTime": "2026-11-20"}
while True:
    page = requests.get(
        f"{REPORTING_BASE}/v1/time-registrations",
        headers=headers,
        params=params,
    ).json()
    records.extend(page["data"])
    continuation = page.get("continuationToken")
    if not continuation:
        break
    params["ContinuationToken"] = continuation

print(f"Exported {len(records)} time registrations")
