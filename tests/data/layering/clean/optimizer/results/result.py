import dataclasses

from ..status import Status


@dataclasses.dataclass(frozen=True)
class Result:
    status: Status
    _cache: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return {"status": self.status.value}
