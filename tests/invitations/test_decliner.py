"""Who declined a meeting, read from the attendees' answers: the executive is always the
last attendee, and the mentor an attendee only when a programme mailbox organises."""

import pytest

from api.invitations.responses import decliner
from api.storage.models import Meeting

MIA, EVE = ("Mia.Mentor@Contoso.example", "Mia"), ("eve@contoso.example", "Eve")


@pytest.mark.parametrize(
    ("attendees", "answers", "who"),
    [
        ([EVE], {"eve@contoso.example": "declined"}, "executive"),  # the mentor organises
        ([MIA, EVE], {"mia.mentor@contoso.example": "declined"}, "mentor"),
        (
            [MIA, EVE],
            {"mia.mentor@contoso.example": "accepted", "eve@contoso.example": "declined"},
            "executive",
        ),
        (
            [MIA, EVE],
            {"mia.mentor@contoso.example": "declined", "eve@contoso.example": "declined"},
            None,
        ),
        ([EVE], {"someone.else@contoso.example": "declined"}, None),  # forwarded invitation
    ],
)
def test_the_declining_attendee_is_named_by_role(
    attendees: list[tuple[str, str]], answers: dict[str, str], who: str | None
) -> None:
    meeting = Meeting(attendees=[list(a) for a in attendees])
    assert decliner(meeting, answers) == who
