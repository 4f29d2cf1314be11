"""USPS's refusals as one typed exception, carrying USPS's own code, message and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One entry of USPS's `error.errors[]`."""

    status: str = ""
    code: str = ""
    title: str = ""
    detail: str = ""
    parameter: str = ""  # `source.parameter`: the input USPS blames


class UspsError(Exception):
    """USPS answered and refused (4xx): its verdict, not an outage; retrying changes nothing."""

    def __init__(self, status: int, message: str, problems: tuple[Problem, ...] = (), *, code=""):
        self.status = status
        self.message = message
        self.problems = problems
        self.code = code or str(status)
        super().__init__(self.text)

    @property
    def field(self) -> str:
        """The request field USPS names, if any."""
        return next((p.parameter for p in self.problems if p.parameter), "")

    @property
    def detail(self) -> str:
        return next((p.detail for p in self.problems if p.detail), "")

    @property
    def text(self) -> str:
        words = self.detail or self.message
        if self.detail and self.message and self.message not in self.detail:
            words = f"{self.message}: {self.detail}"
        return f"USPS: {words}" + (f" ({self.field})" if self.field else "")


def error_from(status: int, body) -> UspsError:
    """Read USPS's ErrorMessage body (or an OAuth error, or anything else) into a UspsError."""
    if not isinstance(body, dict):
        return UspsError(status, f"HTTP {status}")
    error = body.get("error")
    if isinstance(error, str):  # OAuth: {"error": "invalid_client", "error_description": …}
        return UspsError(status, str(body.get("error_description") or error), code=error)
    if not isinstance(error, dict):
        return UspsError(status, str(body.get("message") or f"HTTP {status}"))
    problems = []
    for item in error.get("errors") or []:
        if not isinstance(item, dict):
            continue
        source = item.get("source") if isinstance(item.get("source"), dict) else {}
        problems.append(
            Problem(
                status=str(item.get("status") or ""),
                code=str(item.get("code") or ""),
                title=str(item.get("title") or ""),
                detail=str(item.get("detail") or ""),
                parameter=str(source.get("parameter") or ""),
            )
        )
    message = str(error.get("message") or f"HTTP {status}")
    return UspsError(status, message, tuple(problems), code=str(error.get("code") or status))


class AccountIncomplete(Exception):
    """The shipper account lacks what USPS needs (before USPS is asked): `fields` names them."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__("The USPS account is missing " + ", ".join(fields) + ".")


def ensure_ok(response, ok: tuple[int, ...] = (200,)):
    """The response when its status is in `ok`; else USPS's refusal as a UspsError."""
    if response.status_code in ok:
        return response
    try:
        body = response.json()
    except ValueError:
        body = None
    raise error_from(response.status_code, body)
