"""``leadgate bu``, ``teams``, ``roles`` and ``share``: who may do what (REFERENCE §6).

Administrative commands run as SYSTEM, each change through the message Dataverse names for
it (AddPrivilegesRole, AddMembersTeam, GrantAccess …). Units, teams and roles are named as
people type them: case does not matter, and an unknown name lists the known ones.

One module per command: ``units`` (bu), ``teams``, ``roles`` and ``sharing`` (share);
``lookup`` finds units, teams, roles and principals by name and reads depths and rights.
"""

from __future__ import annotations

from leadgate.cli.security.lookup import find_role, find_team, find_unit, rights_text
from leadgate.cli.security.roles import roles_app
from leadgate.cli.security.sharing import share
from leadgate.cli.security.teams import teams_app
from leadgate.cli.security.units import bu_app

__all__ = [
    "bu_app",
    "find_role",
    "find_team",
    "find_unit",
    "rights_text",
    "roles_app",
    "share",
    "teams_app",
]
