"""`GET /api/metrics/{unit|district|topic}?month=YYYY-MM`: 响应率, 解决率, 满意率 and the composite
score per unit, district or topic, ranked (formulas: server/workflow/metrics.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from server.access import allow
from server.api.routes import EngineDep
from server.storage.keys import Role
from server.workflow.metrics import BadMonth, Dimension, MetricWeights, rates

router = APIRouter()

Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, Beijing time")]


@router.get("/api/metrics/{dimension}", dependencies=[allow(Role.SUPERVISOR, Role.ADMIN)])
def metrics(dimension: Dimension, month: Month, request: Request, engine: EngineDep) -> dict[str, Any]:
    weights: MetricWeights = request.app.state.metric_weights
    try:
        rows = rates(engine, dimension, month, weights)
    except BadMonth as exc:
        raise HTTPException(status_code=422, detail=[{"loc": ["query", "month"], "msg": str(exc),
                                                      "type": "value_error"}]) from None
    return {"dimension": dimension, "month": month, "weights": asdict(weights), "rows": [asdict(r) for r in rows]}
