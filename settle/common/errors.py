from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: where (`index`: item or line number), which field, and why."""

    field: str
    message: str
    index: int | None = None


@dataclass
class ApplicationError(Exception):
    """A refusal a person can act on; `message` and each field error are user-facing text."""

    message: str
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return str(self.message)


class AlreadyDone(ApplicationError):
    """The same thing was done before (e.g. a payment reference already booked); not an error in
    the request's shape, so an API answers 409 rather than 422."""
