import math

import pytest

from restoration.errors import ParameterError
from restoration.params import ParamSpec, parse_value, resolve_params


def test_parse_value_types():
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("2.5") == 2.5
    assert parse_value("TRUE") is True and parse_value("false") is False
    assert parse_value("'db4'") == "db4"
    assert parse_value("db4") == "db4"
    assert parse_value("[1, 2]") == "[1, 2]"  # containers stay text


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (ParamSpec("n", "int", 3, 1, 9), "5", 5),
        (ParamSpec("n", "int", 3, 1, 9), 4.0, 4),
        (ParamSpec("x", "float", 0.5, 0, 1), "0.25", 0.25),
        (ParamSpec("b", "bool", False), "yes", True),
        (ParamSpec("b", "bool", False), 0, False),
        (ParamSpec("c", "choice", "soft", choices=("soft", "hard")), "hard", "hard"),
    ],
)
def test_coerce_accepts(spec, value, expected):
    assert spec.coerce(value) == expected


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (ParamSpec("n", "int", 3, 1, 9), 10),
        (ParamSpec("n", "int", 3, 1, 9), 2.5),
        (ParamSpec("n", "int", 3, 1, 9), "abc"),
        (ParamSpec("x", "float", 0.5, 0, 1), math.nan),
        (ParamSpec("x", "float", 0.5, 0, 1), math.inf),
        (ParamSpec("x", "float", 0.5, 0, 1), True),
        (ParamSpec("b", "bool", False), "maybe"),
        (ParamSpec("c", "choice", "soft", choices=("soft", "hard")), "medium"),
    ],
)
def test_coerce_rejects_with_clear_message(spec, value):
    with pytest.raises(ParameterError, match=spec.name):
        spec.coerce(value)


def test_invalid_default_is_a_bug():
    with pytest.raises(ParameterError):
        ParamSpec("n", "int", 20, 1, 9)


def test_resolve_params_defaults_and_unknown():
    specs = [ParamSpec("a", "int", 1, 0, 5), ParamSpec("b", "float", 0.5, 0, 1)]
    assert resolve_params(specs, {"a": "2"}, owner="m") == {"a": 2, "b": 0.5}
    with pytest.raises(ParameterError, match="has no parameter 'c'"):
        resolve_params(specs, {"c": 1}, owner="m")
