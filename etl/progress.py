"""Progress on long work: a bar on a terminal, plain lines otherwise (logs, CI, pipes)."""

from __future__ import annotations

import sys


class Progress:
    """Reports work on a list of items: `step(label)` before each, `done(line)` after it."""

    def __init__(self, total: int, title: str, stream=None):
        self.total, self.title = total, title
        self.stream = stream or sys.stdout
        self.count = 0
        self._bar = None
        if self.stream.isatty() and total > 0:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                transient=False,
            )
            self._task = self._bar.add_task(title, total=total)
            self._bar.start()

    def step(self, label: str) -> None:
        if self._bar:
            self._bar.update(self._task, description=f"{self.title}：{label}")

    def done(self, line: str) -> None:
        self.count += 1
        text = f"[{self.count}/{self.total}] {line}"
        if self._bar:
            self._bar.console.print(text)
            self._bar.advance(self._task)
        else:
            print(text, file=self.stream, flush=True)

    def say(self, line: str) -> None:
        if self._bar:
            self._bar.console.print(line)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar:
            self._bar.stop()
            self._bar = None
