"""The sales solution: leads, accounts, contacts, opportunities, shipped as data."""

from __future__ import annotations

from typing import Any

from leadgate.platform.customization.solutions import SolutionDefinition, load_solution
from leadgate.sales import bulk_qualify, diagnosis, lead_state, qualify

__all__ = ["SalesSolution", "solution"]


class SalesSolution:
    name = "leadgate_sales"

    def definition(self) -> SolutionDefinition:
        return load_solution("leadgate.sales", "solution.toml")

    def register(self, organization: Any) -> None:
        """The messages and rules that need code: qualification (one lead, or many as
        system jobs), its diagnosis, and the lead's states."""
        organization.register_messages(qualify.MESSAGES)
        bulk_qualify.register(organization)
        diagnosis.register(organization)
        lead_state.register(organization)


solution = SalesSolution()
