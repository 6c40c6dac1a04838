"""Errors: the AWS error a call answers with, and the input errors of files and flags."""

from __future__ import annotations

from enum import Enum


class Refusal(Enum):
    """Why the server refused a request, where the error code alone does not decide the
    HTTP status: a named input of :func:`sim.server.status.http_status`, never a status."""

    #: A SigV4 refusal: the status of the service it is addressed to (R-SRV-30 to R-SRV-35),
    #: 403 at a control endpoint (R-SRV-11).
    SIGNATURE = "signature"
    #: An API request that is not a POST (R-SRV-02).
    METHOD = "method"
    #: An rpc-v2-cbor path that names no operation of a served service (R-SRV-02).
    ROUTE = "route"


class AwsError(Exception):
    """A call's failure as AWS answers it: error code, message, deciding rule, and the
    service it is answered for ("" until known: handlers leave it to the server).

    It carries no HTTP status: the server decides that in one place
    (:func:`sim.server.status.http_status`), from the service, the code and, for the
    server's own refusals whose code does not decide it, ``refusal``.
    """

    def __init__(self, code: str, message: str, rule: str | None, service: str = "", *,
                 refusal: Refusal | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.rule = rule
        self.service = service
        self.refusal = refusal


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
