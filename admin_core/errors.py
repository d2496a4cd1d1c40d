"""Domain errors. Each carries a stable machine code; the API turns them into JSON errors."""


class CoreError(Exception):
    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Unauthorized(CoreError):
    status = 401


class Forbidden(CoreError):
    status = 403


class NotFound(CoreError):
    status = 404


class Conflict(CoreError):
    status = 409


class Gone(CoreError):
    status = 410


class Invalid(CoreError):
    status = 422


class InvalidFields(Invalid):
    """Invalid, with a message per field."""

    def __init__(self, code: str, message: str, fields: dict[str, object]) -> None:
        super().__init__(code, message)
        self.fields = fields


class InvalidAtFields(InvalidFields):
    """Invalid, with a code and a message per field: the staff UI says each at its field, in the
    staff member's language."""

    def __init__(
        self, code: str, problems: dict[str, tuple[str, str]], message: str = "Some fields are not valid."
    ) -> None:  # problems: name: (code, message)
        super().__init__(
            code,
            message,
            {name: [message] for name, (_code, message) in problems.items()},
        )
        self.problems = problems

    @property
    def codes(self) -> dict[str, str]:
        return {name: code for name, (code, _message) in self.problems.items()}
