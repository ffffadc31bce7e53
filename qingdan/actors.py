"""Who acts when no person does: ``SYSTEM``, the platform itself (the demo loader, a command the operator runs on
the server, the daily deadline scan). Every service takes it explicitly as ``actor=SYSTEM``; a missing actor
(``None``) is refused like anyone without the right, never taken for the system."""


class System:
    pk = id = org_unit = org_unit_id = None
    username = "system"
    is_active = True
    is_authenticated = False

    def has_role(self, *roles):
        return False

    def __repr__(self):
        return "SYSTEM"


SYSTEM = System()


def person(actor):
    """The user to record for ``actor``: nobody for the system."""
    return None if actor is SYSTEM else actor
