"""Matrix calculus in matrix notation: declared shapes with symbolic sizes, derivatives of
matrix expressions printed as matrix expressions (`(A + transpose(A))@x`), their numbers at a
point checked against reverse mode, and the matrix rules a derivation uses."""
