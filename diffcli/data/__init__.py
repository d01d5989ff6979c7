"""Layer 3, files: atomic outputs, interruption, CSV, `.npz` and Parquet readers, the row sinks.
Imports the layers below."""
