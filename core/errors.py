"""The one shape of a refused action, which every app's error class subclasses."""


class DomainError(Exception):
    """A rule refused an action: `message` is plain words for the user, `field` names the input it
    concerns (None for the whole form) and `status` is the HTTP status a view answers with."""

    status: int = 400

    def __init__(self, message: str = "", *, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
