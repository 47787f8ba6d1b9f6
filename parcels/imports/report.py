"""The import report: what happened to each row, and a summary a human can act on."""
from __future__ import annotations

from dataclasses import dataclass, field


class ImportFileError(Exception):
    """The whole file is unusable (corrupt, empty, unknown format, unsupported CRS…).

    Raised before anything is written, so the database is never touched by a rejected file.
    """


class IndexBuildError(Exception):
    """The parcels were imported and committed, but an index built after the commit failed
    (parcels.imports.indexes); `report` is the import's report."""

    def __init__(self, report: ImportReport, index: str, cause: Exception) -> None:
        super().__init__(f"the parcels were imported, but building the index {index} failed: "
                         f"{str(cause).strip()}. Address search still works, only slower; the next import "
                         f"builds the index again.")
        self.report = report


@dataclass(frozen=True)
class RowIssue:
    """One line of the per-row report: `row` is 1-based in file order, `identifier` the
    cadastral number (or the source id when there is none)."""

    row: int
    identifier: str
    reason: str
    level: str = "error"  # "error" = row rejected; "warning" = imported with a change (e.g. repaired)

    def __str__(self) -> str:
        return f"row {self.row} [{self.identifier or '-'}] {self.level}: {self.reason}"


@dataclass
class ImportReport:
    """Counts and per-row issues of one import; `imported` = inserted + updated."""

    source: str
    format: str = ""
    srid: int | None = None
    total: int = 0
    inserted: int = 0
    updated: int = 0
    buildings: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.inserted + self.updated

    @property
    def rejected(self) -> int:
        return len({i.row for i in self.issues if i.level == "error"})

    def reject(self, row: int, identifier: str | None, reason: str) -> None:
        self.issues.append(RowIssue(int(row), str(identifier or ""), reason))

    def warn(self, row: int, identifier: str | None, reason: str) -> None:
        self.issues.append(RowIssue(int(row), str(identifier or ""), reason, level="warning"))

    def summary(self) -> str:
        srid = f"EPSG:{self.srid}" if self.srid else "unknown CRS"
        return (f"{self.source} ({self.format}, {srid}): {self.total} rows read, {self.inserted} inserted, "
                f"{self.updated} updated, {self.rejected} rejected, {self.buildings} buildings "
                f"in {self.seconds:.1f} s")
