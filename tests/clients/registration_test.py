"""Runs the seeds' registration script (register_data_product.py beside this file, the seeds'
text with its indentation restored) unchanged against a running `accord serve` with access
control: first 201, then 200, each with a catalog_url that answers; then a narrowed column is
refused as a breaking change, and a second domain's token is refused.

Usage: registration_test.py URL
"""

import os
import subprocess
import sys
from pathlib import Path

import requests

url = sys.argv[1]
root = Path(__file__).resolve().parents[2]
script = Path(__file__).with_name("register_data_product.py")
token = (root / "testdata/auth/payments-ci.token").read_text().strip()
env = {**os.environ, "DATA_PLATFORM_API_URL": url, "DATA_PLATFORM_API_TOKEN": token}
failures = 0


def check(what, ok, detail=""):
    global failures
    print(f"{'ok' if ok else 'FAILED'}: {what}" + ("" if ok else f"\n  {detail}"))
    failures += 0 if ok else 1


def register(manifest, token_env=env):
    return subprocess.run(
        [sys.executable, str(script), str(manifest)],
        capture_output=True, text=True, env=token_env, cwd=root,
    )


manifest = root / "testdata/contracts/transactions-3.2.0.yaml"
first = register(manifest)
catalog = f"{url}/v1/data-products/payments/transactions"
check(
    "the first registration creates the product (201)",
    first.returncode == 0
    and f"Registered new data product: payments.transactions\nCatalog: {catalog}\n" == first.stdout,
    first.stdout + first.stderr,
)
second = register(manifest)
check(
    "the same version again updates it (200)",
    second.returncode == 0
    and f"Updated existing data product: payments.transactions\nCatalog: {catalog}\n" == second.stdout,
    second.stdout + second.stderr,
)
page = requests.get(catalog, headers={"Authorization": f"Bearer {token}"}, timeout=15)
body = page.json() if page.status_code == 200 else {}
check(
    "the catalog_url answers with the product",
    page.status_code == 200
    and body.get("name") == "payments.transactions"
    and body.get("version") == "3.2.0"
    and "amount_usd" in body.get("columns", []),
    f"{page.status_code} {page.text}",
)
narrowed = register(root / "testdata/contracts/transactions-3.3.0-narrowed.yaml")
check(
    "a narrowed column in the next minor is refused (409)",
    narrowed.returncode != 0 and "409" in narrowed.stderr,
    narrowed.stdout + narrowed.stderr,
)
anonymous = register(manifest, {**env, "DATA_PLATFORM_API_TOKEN": "not-a-token"})
check(
    "an unknown token is refused (401)",
    anonymous.returncode != 0 and "401" in anonymous.stderr,
    anonymous.stdout + anonymous.stderr,
)
sys.exit(1 if failures else 0)
