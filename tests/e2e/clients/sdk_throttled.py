"""Microsoft's SDK meets a service protection limit (a server started with --max-requests 3):
its HttpError carries the 429, Dataverse's code and Retry-After. Run by tests/e2e/test_clients.py
in the clients' own virtual environment, like sdk_flow.py."""

from __future__ import annotations

import os
import time

from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.core.errors import HttpError


class Token:
    def get_token(self, *scopes: str, **options: object) -> AccessToken:
        return AccessToken(os.environ["LEADGATE_TOKEN"], int(time.time()) + 3600)


def main() -> None:
    answered = 0
    with DataverseClient(os.environ["LEADGATE_URL"], Token()) as client:
        print("step: list leads until refused", flush=True)
        try:
            for _ in range(5):  # the table's resolution, then one request per list
                client.records.list("lead", select=["subject"], top=1)
                answered += 1
        except HttpError as refusal:
            assert answered == 2, answered  # 1 resolution + 2 lists = the 3 allowed
            assert refusal.status_code == 429, refusal.status_code
            assert refusal.is_transient
            assert refusal.details["service_error_code"] == "0x80072322", refusal.details
            assert refusal.details["retry_after"] >= 1, refusal.details
            assert "Number of requests exceeded the limit of 3" in str(refusal), str(refusal)
            print("flow: done", flush=True)
            return
    raise AssertionError(f"{answered} lists answered: no refusal")


if __name__ == "__main__":
    main()
