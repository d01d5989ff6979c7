"""Feature: `--points`, many points in bounded memory, locally or on Dask. Imports compute and
below, never another feature."""
