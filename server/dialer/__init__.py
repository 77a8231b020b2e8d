"""Calling citizens back: the `Dialer` seam, its implementations, and the loop that dials due callbacks."""
