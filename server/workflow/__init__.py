"""The work-order workflow: who handles an order and by when (dispatch.py)."""
