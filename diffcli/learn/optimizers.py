"""The update rules of `minimize` and `fit` on a flat parameter vector, as PyTorch's optimisers
apply them (SGD, SGD with momentum, Adam with bias correction): a few lines of numpy."""

from __future__ import annotations

import math

import numpy as np

from diffcli.errors import DiffcliError

OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM = 0.9  # PyTorch SGD(momentum=0.9): v = 0.9 v + g; x -= lr v
ADAM_BETAS = (0.9, 0.999)  # PyTorch Adam's defaults, with bias correction
ADAM_EPS = 1e-8


class Optimizer:
    """One update rule on a flat parameter vector; `step` returns the new vector."""

    def __init__(self, kind: str, lr: float, size: int, dtype=np.float64):
        if kind not in OPTIMIZERS:
            raise DiffcliError(f"unknown optimizer `{kind}`: choose one of {', '.join(OPTIMIZERS)}")
        if not (math.isfinite(lr) and lr > 0):
            raise DiffcliError(f"--lr {lr}: the learning rate must be a positive number, such as 0.01")
        # In float32 every update is float32 arithmetic, as PyTorch's default dtype does it.
        self.kind, self.lr, self.t = kind, dtype(lr), 0
        self.m = np.zeros(size, dtype)
        self.v = np.zeros(size, dtype)

    def step(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.t += 1
        if self.kind == "gd":
            return theta - self.lr * g
        if self.kind == "momentum":
            self.m = MOMENTUM * self.m + g
            return theta - self.lr * self.m
        b1, b2 = ADAM_BETAS
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat = self.m / (1 - b1**self.t)
        v_hat = self.v / (1 - b2**self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
