"""The mock's run-time rate-limit switch (MockServer.set_rate_limit)."""

from __future__ import annotations

import httpx

from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread

ADMIN = {"Authorization": "Bearer cal_demo_admin_1a2b3c4d5e6f"}
PATH = "/v2/organizations/1/attributes"


def test_rate_limit_switches_on_with_a_small_limit_and_off_again() -> None:
    server = create_mock()
    with serve_in_thread(server) as url, httpx.Client(base_url=url, headers=ADMIN) as http:
        assert [http.get(PATH).status_code for _ in range(3)] == [200, 200, 200]
        server.set_rate_limit(True, limit=2)
        answers = [http.get(PATH) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
        server.set_rate_limit(False)
        assert http.get(PATH).status_code == 200
