"""Injected faults: each fires as often as asked, never applies a write unless told to, and is
cleared by reset."""

from __future__ import annotations

import gc
import warnings

import httpx
import pytest

from cal_attributes_mock.testkit import CalMock, FaultError
from tests.testkit.conftest import ATTRIBUTES, new_attribute, slugs


def test_fail_answers_the_status_the_given_number_of_times_then_normally(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("listAttributes", status=503, times=2, retry_after=7)
    answers = [http.get(ATTRIBUTES) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "7"
    error = answers[0].json()
    assert error["status"] == "error"
    assert error["error"]["code"] == "ServiceUnavailableException"
    assert cal_mock.faults() == []


def test_injected_answers_carry_a_request_id_like_the_mocks_own(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("listAttributes", status=503, times=2)
    cal_mock.malformed("getAttribute")
    first, second = http.get(ATTRIBUTES), http.get(ATTRIBUTES, headers={"X-Request-Id": "req-42"})
    cut = http.get(f"{ATTRIBUTES}/a1")
    normal = http.get(ATTRIBUTES)
    ids = [first.headers["x-request-id"], cut.headers["x-request-id"], normal.headers["x-request-id"]]
    assert (first.status_code, cut.status_code, normal.status_code) == (503, 200, 200)
    assert len(set(ids)) == 3 and all(ids)  # unique, as the mock's own answers are
    assert second.headers["x-request-id"] == "req-42"  # the caller's id echoed


def test_fail_matches_only_its_operation(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("createAttribute", times=1)
    assert http.get(ATTRIBUTES).status_code == 200
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 503


def test_fail_for_any_operation_and_a_custom_body(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail(None, status=500, times=None, body={"oops": True})
    assert http.get(ATTRIBUTES).json() == {"oops": True}
    assert http.get(f"{ATTRIBUTES}/options/103").status_code == 500
    assert http.post("/_mock/reset").status_code == 200  # controls are never faulted
    assert http.get(ATTRIBUTES).status_code == 200  # and reset cleared the fault


def test_a_failed_write_is_not_applied(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("createAttribute", status=503, times=1)
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 503
    assert "team" not in slugs(http)


def test_apply_applies_the_write_and_loses_the_answer(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("createAttribute", status=502, times=1, apply=True)
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 502
    assert "team" in slugs(http)
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 409  # the retry meets its own write


def test_drop_connection_is_a_connection_error_and_does_not_apply(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.drop_connection("createAttribute")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(ATTRIBUTES, json=new_attribute("team"))
    assert "team" not in slugs(http)
    assert [e.status for e in cal_mock.requests("createAttribute")] == [None]


def test_drop_connection_with_apply_applies(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.drop_connection("createAttribute", apply=True)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(ATTRIBUTES, json=new_attribute("team"))
    assert "team" in slugs(http)


def test_drop_connection_over_a_socket(cal_mock: CalMock) -> None:
    cal_mock.drop_connection(None, times=1)
    headers = {"Authorization": f"Bearer {cal_mock.keys['admin']}"}
    with httpx.Client(base_url=cal_mock.url, headers=headers, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(ATTRIBUTES)
        assert client.get(ATTRIBUTES).status_code == 200


def test_malformed_answers_a_cut_json_body_without_applying(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.malformed("createAttribute")
    answer = http.post(ATTRIBUTES, json=new_attribute("team"))
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()
    assert "team" not in slugs(http)


def test_malformed_with_apply_truncates_the_real_answer(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.malformed("createAttribute", apply=True)
    answer = http.post(ATTRIBUTES, json=new_attribute("team"))
    assert answer.status_code == 201
    assert answer.content.startswith(b'{"status":"success"')
    with pytest.raises(ValueError):
        answer.json()
    assert "team" in slugs(http)


def test_delay_holds_the_answer_past_a_read_timeout(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.delay("listAttributes", 2.0, times=1)
    with pytest.raises(httpx.ReadTimeout):
        http.get(ATTRIBUTES, timeout=0.05)
    assert http.get(ATTRIBUTES, timeout=0.05).status_code == 200


def test_delay_then_fail_both_fire(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.delay(None, 0.01, times=1)
    cal_mock.fail(None, status=504, times=1)
    assert http.get(ATTRIBUTES).status_code == 504
    assert cal_mock.faults() == []


def test_rate_limit_on_and_off(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.rate_limit(limit=1)
    assert [http.get(ATTRIBUTES).status_code for _ in range(2)] == [200, 429]
    cal_mock.rate_limit(False)
    assert http.get(ATTRIBUTES).status_code == 200


def test_reset_clears_faults_journal_and_rate_limit(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail(None, times=None)
    cal_mock.rate_limit(limit=1)
    http.get(ATTRIBUTES)
    cal_mock.reset()
    assert cal_mock.faults() == []
    assert cal_mock.requests() == []
    assert [http.get(ATTRIBUTES).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.fail("listAttribute"), "did you mean 'listAttributes'"),
        (lambda m: m.fail(None, status=200), "status must be an HTTP error status"),
        (lambda m: m.fail(None, times=0), "times must be an integer of 1 or more"),
        (lambda m: m.fail(None, retry_after=-1), "retryAfter must be whole seconds"),
        (lambda m: m.delay(None, float("nan")), "seconds must be a number from 0 to 60"),
        (lambda m: m.delay(None, 61), "seconds must be a number from 0 to 60"),
    ],
)
def test_invalid_faults_are_refused_and_nothing_is_armed(cal_mock: CalMock, call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(FaultError, match=message):
        call(cal_mock)
    assert cal_mock.faults() == []


def test_a_client_never_closed_leaves_no_event_loop_open(cal_mock: CalMock) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        client = cal_mock.client()
        assert len(client.attributes.list().items) == 4
        del client
        gc.collect()


def test_clear_faults_disarms_every_fault_and_keeps_state_and_journal(cal_mock: CalMock, http: httpx.Client) -> None:
    cal_mock.fail("listAttributes", status=503, times=5)
    cal_mock.delay(None, 0.01)
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 201
    cal_mock.clear_faults()
    assert cal_mock.faults() == []
    assert http.get(ATTRIBUTES).status_code == 200
    assert "team" in slugs(http)
    assert [e.operation_id for e in cal_mock.requests()][:1] == ["createAttribute"]
