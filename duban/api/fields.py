"""Field types shared by the API's input schemas."""

from typing import Annotated

from ninja import Field

from duban.lib.ids import OBJECT_ID_MAX

# Ids are database integers: a larger number names nothing and must be refused as a schema
# error (422), not reach the database (where it overflows the column: a server error). Ids in
# URL paths are refused (404) by duban.lib.ids.OutOfRangeIdMiddleware.
ObjectId = Annotated[int, Field(ge=1, le=OBJECT_ID_MAX)]


def id_in_range(value: int) -> bool:
    """Whether an id from a path or a body can name a row at all."""
    return 1 <= value <= OBJECT_ID_MAX
