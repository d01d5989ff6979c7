"""Property tests: random smooth expressions, reverse mode against central differences."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from helpers import grad_of, numeric_grad_of, value_of
from strategies import coordinates, expressions

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(expressions, coordinates, coordinates)
def test_gradient_matches_central_differences(text, x, y):
    point = {"x": x, "y": y}
    value = value_of(text, point)
    if not np.isfinite(value) or abs(value) > 1e6:
        return
    exact, numeric = grad_of(text, point), numeric_grad_of(text, point)
    for name in point:
        scale = max(1.0, abs(float(numeric[name])))
        assert abs(exact[name] - numeric[name]) <= 1e-5 * scale, (text, point, exact, numeric)


@SETTINGS
@given(expressions, coordinates)
def test_vector_evaluation_matches_pointwise(text, x):
    if "logsumexp" in text:
        return  # acts on the last axis, not elementwise
    xs = np.array([x, x / 2 + 0.1, -x])
    together = grad_of(text, {"x": xs, "y": 0.3}, ["x"])["x"]
    apart = [grad_of(text, {"x": v, "y": 0.3}, ["x"])["x"] for v in xs]
    # sum over the vector of an elementwise function: gradient entry i is the pointwise derivative
    assert together.shape in ((), (3,))
    assert np.allclose(np.broadcast_to(together, (3,)), apart, rtol=1e-12, atol=1e-12, equal_nan=True), text


@SETTINGS
@given(expressions)
def test_shared_subexpressions_are_one_node(text):
    from diffcli.syntax.parse import parse

    doubled = parse(f"({text}) * ({text}) + x", None).output.args[0]
    if doubled.is_const:
        return  # numeric literals fold to one number
    assert doubled.args[0] is doubled.args[1]
