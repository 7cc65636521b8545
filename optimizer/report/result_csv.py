"""The CSV report of a result: one long table, one meaning per column.

Columns (`COLUMNS`), each filled only where it means something:

- `section`, `id`, `label`: what the row is (lever, revenue, expenditure, indicator,
  total, status, then the simulation and CVaR sections);
- `value`: a lever's decision value in its unit; a simulated or CVaR figure;
- `public`: `true` or `false` on revenue rows (public or private money);
- `before`, `after`, `change`: a budget line or an indicator before and after the plan,
  and `change` = after - before;
- `revenue_change`, `expenditure_change`, `net_effect`: a lever's effect on the revenue
  lines and on the spending lines (each summed over its lines), and `net_effect` =
  revenue_change - expenditure_change, its effect on the result;
- `risk`: a lever's EUR at risk, and the total.

Numbers are plain (EUR, shares as fractions), rounded to 1e-6 so that the bytes are stable.
"""

from __future__ import annotations

import csv
import io

from ..results.result import Result
from .formats import csv_number, csv_text
from .uncertainty import csv_rows

COLUMNS = ("section", "id", "label", "value", "public", "before", "after", "change",
           "revenue_change", "expenditure_change", "net_effect", "risk")


def result_csv(result: Result) -> str:
    """One long table: the levers, the budget lines, the indicators, the total EUR at risk,
    the status, then the simulation and CVaR rows when there are any."""
    buf = io.StringIO()
    writer = _TextSafe(csv.DictWriter(buf, fieldnames=COLUMNS, restval="",
                                      lineterminator="\n"))
    writer.writeheader()
    after = result.after
    case = result.case
    for lever in case.levers:
        eff = after.effects[lever.id]
        revenue = sum(eff.revenue.values())
        spending = sum(eff.expenditure.values())
        writer.writerow({"section": "lever", "id": lever.id, "label": lever.name,
                         "value": csv_number(eff.value), "revenue_change": csv_number(revenue),
                         "expenditure_change": csv_number(spending),
                         "net_effect": csv_number(revenue - spending),
                         "risk": csv_number(eff.risk)})
    for r in case.revenues:
        writer.writerow({"section": "revenue", "id": r.id, "label": r.name,
                         "public": "true" if r.public else "false",
                         **_before_after(r.amount, after.revenues[r.id])})
    for e in case.expenditures:
        writer.writerow({"section": "expenditure", "id": e.id, "label": e.name,
                         **_before_after(e.amount, after.expenditures[e.id])})
    ind = result.indicators
    for key in ("private_share", "result", "members"):
        writer.writerow({"section": "indicator", "id": key, "label": key.replace("_", " "),
                         **_before_after(ind[key]["before"], ind[key]["after"])})
    writer.writerow({"section": "indicator", "id": "capacity_used", "label": "capacity used",
                     "after": csv_number(ind["capacity_used"])})
    writer.writerow({"section": "total", "id": "risk", "label": "EUR at risk",
                     "risk": csv_number(result.risk)})
    writer.writerows(csv_rows(result))
    writer.writerow({"section": "status", "id": result.status.value})
    return buf.getvalue()


class _TextSafe:
    """The writer, with the case's words (ids, labels) never read as formulas (csv_text)."""

    def __init__(self, writer: csv.DictWriter[str]):
        self.writer = writer

    def writeheader(self) -> None:
        self.writer.writeheader()

    def writerow(self, row: dict[str, str]) -> None:
        self.writer.writerow({k: csv_text(v) if k in ("id", "label") else v
                              for k, v in row.items()})

    def writerows(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            self.writerow(row)


def _before_after(before: float, after: float) -> dict[str, str]:
    return {"before": csv_number(before), "after": csv_number(after),
            "change": csv_number(after - before)}


__all__ = ["COLUMNS", "result_csv"]
