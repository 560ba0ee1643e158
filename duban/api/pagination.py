"""Limit/offset pagination for list endpoints: `?limit=&offset=`, at most 500 a page.

The response is `{"items": [...], "count": <total>}`.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
OFFSET_MAX = 2**31 - 1  # beyond any list; a larger one overflows the database's OFFSET


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description="跳过的条数")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
