"""Layer 1, the core: the expression graph, the op table (`ops/`), reverse and forward mode,
Hessian products, sparsity, and the engine that runs a plan on numpy (or CuPy). Imports only the
leaves (`errors`, `limits`)."""
