"""Shared output of the import commands: progress bar on a terminal, per-row report, summary."""
from __future__ import annotations

import sys

from django.core.management.base import CommandError

from parcels.imports import ImportReport


class ProgressBar:
    """A one-line bar redrawn with \\r; silent unless stdout is a terminal (logs stay clean)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage = stage
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage:
            self.stream.write("\n")


def write_report(command, report: ImportReport, *, max_issues: int | None) -> None:
    issues = report.issues if max_issues is None else report.issues[:max_issues]
    for issue in issues:
        style = command.style.ERROR if issue.level == "error" else command.style.WARNING
        command.stdout.write(style(str(issue)))
    if max_issues is not None and len(report.issues) > max_issues:
        command.stdout.write(f"… and {len(report.issues) - max_issues} more issues (use --all-issues).")
    command.stdout.write(command.style.SUCCESS(report.summary()) if report.imported else report.summary())
    if report.imported == 0:
        raise CommandError("Nothing was imported.")


def stdout_stream(command):
    return getattr(command.stdout, "_out", sys.stdout)
