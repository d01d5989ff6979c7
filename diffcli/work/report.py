"""The propagation formula for a lab report, in LaTeX, with the partial derivatives written out
(each the textbook form of the reverse-mode derivative, as `diff` prints it)."""

from __future__ import annotations

import numpy as np

from diffcli.algebra.latex import latex_name, to_latex
from diffcli.algebra.textbook import textbook
from diffcli.work.model import Model


def propagation_latex(model: Model, names: list[str], corr: np.ndarray, output: str = "f") -> str:
    """u_f = sqrt(sum (df/dx_i u_i)^2 + 2 sum r_ij ...), then each df/dx_i = ... as LaTeX lines."""
    f = latex_name(output)
    partial = {n: rf"\frac{{\partial {f}}}{{\partial {latex_name(n)}}}" for n in names}
    terms = [rf"\left({partial[n]}\, u_{{{latex_name(n)}}}\right)^2" for n in names]
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            if corr[i, j]:
                b = names[j]
                terms.append(
                    rf"2\, {partial[a]} {partial[b]}\, r_{{{latex_name(a)}{latex_name(b)}}}\, "
                    rf"u_{{{latex_name(a)}}} u_{{{latex_name(b)}}}"
                )
    lines = [rf"u_{{{f}}} = \sqrt{{{' + '.join(terms)}}}"]
    function = model.outputs[0]
    for name, derivative in zip(names, model.jacobian[0]):
        lines.append(rf"{partial[name]} = {to_latex(textbook(derivative, function, (name,)))}")
    return "\n".join(lines)
