"""What waits for a user in the surveys area, for the workbench (工作台)."""


def items(user):
    """A list of ``{"label", "count", "url", "overdue"}``; empty until the unit pages exist."""
    return []
