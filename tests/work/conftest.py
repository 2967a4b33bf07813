from tests.invitations.conftest import store  # noqa: F401 - the upgraded database, each kind
