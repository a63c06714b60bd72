# scripts/register_data_product.py
import sys
import yaml
import requests
import os
from pathlib import Path
PLATFORM_API = os.environ["DATA_PLATFORM_API_URL"]
API_TOKEN = os.environ["DATA_PLATFORM_API_TOKEN"]
def register(manifest_path: str) -> None:
    spec = yaml.safe_load(Path(manifest_path).read_text())
    name = spec["metadata"]["name"]
    resp = requests.put(
        f"{PLATFORM_API}/v1/data-products/{name.replace('.', '/')}",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        json={
            "name": name,
            "domain": spec["metadata"]["domain"],
            "owner": spec["metadata"]["owner"],
            "slack_channel": spec["metadata"]["slack"],
            "description": spec["spec"]["description"],
            "schema_version": spec["spec"]["schema_version"],
            "sla": spec["spec"]["sla"],
            "columns": spec["spec"]["columns"],
            "access_policy": spec["spec"]["access"],
        },
        timeout=15,
    )
    if resp.status_code == 200:
        print(f"Updated existing data product: {name}")
    elif resp.status_code == 201:
        print(f"Registered new data product: {name}")
        # Platform auto-provisions: catalog entry, default monitors, access policy
    else:
        resp.raise_for_status()
    # Print catalog URL for the PR comment bot to link
    catalog_url = resp.json().get("catalog_url")
    print(f"Catalog: {catalog_url}")
if __name__ == "__main__":
    register(sys.argv[1])
