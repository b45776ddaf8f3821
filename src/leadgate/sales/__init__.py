"""The sales solution: leads, accounts, contacts, opportunities, shipped as data."""

from __future__ import annotations

from typing import Any

from leadgate.platform.solution import SolutionDefinition, load_solution

__all__ = ["SalesSolution", "solution"]


class SalesSolution:
    name = "leadgate_sales"

    def definition(self) -> SolutionDefinition:
        return load_solution("leadgate.sales", "solution.toml")

    def register(self, organization: Any) -> None:
        """Code the sales solution adds to the platform (none yet: it is all data)."""


solution = SalesSolution()
