from __future__ import annotations

import pickle

import pytest

import prism


def test_hierarchy() -> None:
    assert issubclass(prism.KeyNotFoundError, prism.NotFoundError)
    assert issubclass(prism.KeyNotFoundError, KeyError)
    assert issubclass(prism.InvalidArgumentError, ValueError)
    assert issubclass(prism.ValueTooLargeError, prism.InvalidArgumentError)
    assert issubclass(prism.IndexOutOfRangeError, IndexError)
    assert issubclass(prism.LeaseLostError, prism.ConflictError)
    for cls in (
        prism.ConfigurationError,
        prism.UnsupportedError,
        prism.ConflictError,
        prism.BackendUnavailableError,
        prism.NotFoundError,
    ):
        assert issubclass(cls, prism.PrismError)
        assert not issubclass(cls, ConnectionError)


@pytest.mark.parametrize(
    "cls",
    [
        prism.KeyNotFoundError,
        prism.ConflictError,
        prism.BackendUnavailableError,
        prism.ValueTooLargeError,
    ],
)
def test_errors_pickle_with_context(cls: type[prism.PrismError]) -> None:
    err = cls("boom", backend="redis", operation="get")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.message, back.backend, back.operation) == ("boom", "redis", "get")
    assert str(back) == str(err) == "boom [backend=redis, operation=get]"


def test_key_error_str_is_not_quoted() -> None:
    assert str(prism.KeyNotFoundError("key 'a' not found")) == "key 'a' not found"
