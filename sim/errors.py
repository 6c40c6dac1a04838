"""Errors: the AWS error a call answers with, and the input errors of files and flags."""

from __future__ import annotations


class AwsError(Exception):
    """A call's failure as AWS answers it: error code, message, HTTP status, deciding rule."""

    def __init__(self, code: str, message: str, rule: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.rule = rule
        self.status = status


class InputError(Exception):
    """Bad input from a user: names the file and line when known, and a hint."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        hint = f"\n  hint: {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint}"
