"""Errors survive pickle, copy and deepcopy with their message and attributes: a NotFoundError
raised in a ProcessPoolExecutor worker used to come back as BrokenProcessPool, because
unpickling called ``__init__`` with the message alone."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import pytest

from cal_attributes import errors
from cal_attributes.state import DuplicateOptionSlugError, NotAMemberError, NotANumberError, StateFileError
from cal_attributes.state.ops import OperationError
from cal_attributes.state.stateio import Problem

WHERE = {"method": "GET", "url": "https://api.cal.test/v2/organizations/1/attributes"}


def status(kind: type[errors.APIStatusError]) -> errors.APIStatusError:
    return kind(
        "Attribute not found",
        **WHERE,
        status_code=404,
        code="NOT_FOUND",
        details={"message": "Attribute not found"},
        request_id="req-1",
        retry_after=3.0,
    )


EXAMPLES: list[Callable[[], BaseException]] = [
    lambda: errors.ConfigurationError("no organization"),
    lambda: errors.APIConnectionError("ConnectError: refused", **WHERE),
    lambda: errors.APITimeoutError("ReadTimeout: deadline", **WHERE),
    lambda: errors.APIResponseTooLargeError("too large", **WHERE, limit=1024),
    lambda: errors.APIResponseValidationError("not JSON", **WHERE, status_code=200, body="<html>"),
    *[lambda kind=kind: status(kind) for kind in errors.STATUS_ERRORS.values()],
    lambda: status(errors.APIStatusError),
    lambda: status(errors.UnexpectedRedirectError),
    lambda: NotAMemberError({201: "Membership for user with id 201 within organization id 1 not found"}),
    lambda: NotANumberError(["member 5: size is NUMBER but 'big' is not a number"]),
    lambda: DuplicateOptionSlugError([("team", "eng", ("o1", "o2"))]),
    lambda: StateFileError("org.yaml", [Problem(3, "members: bad")]),
    lambda: OperationError("refused", status=404, retry_after=None, server_message="not found"),
]


def same(left: BaseException, right: BaseException) -> None:
    assert type(left) is type(right) and str(left) == str(right) and left.args == right.args
    assert vars(left) == vars(right)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda make: type(make()).__name__)
@pytest.mark.parametrize(
    "duplicate",
    [lambda e: pickle.loads(pickle.dumps(e)), copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_an_error_survives_pickle_and_copy(
    example: Callable[[], BaseException], duplicate: Callable[[BaseException], BaseException]
) -> None:
    error = example()
    same(duplicate(error), error)


def raise_not_found() -> None:
    raise status(errors.NotFoundError)


def test_an_error_in_a_worker_process_reaches_the_caller() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(errors.NotFoundError) as raised:
        pool.submit(raise_not_found).result()
    assert raised.value.request_id == "req-1" and raised.value.status_code == 404
