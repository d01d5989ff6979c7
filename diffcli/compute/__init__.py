"""Layer 4, what to compute: loading a problem, the request layer (what to compute -> nodes,
labels, a Result), kinks and anomalies. Imports the layers below."""
