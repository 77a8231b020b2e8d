"""The HTTP side: REST routes (routes.py) and the live call-event stream /api/events (events.py)."""
