"""What the demo's leads are about: products, topics, ratings, and what salespeople wrote
about them."""

from __future__ import annotations

__all__ = ["COMMENTS", "CUSTOMER_TOPICS", "DESCRIPTIONS", "PRODUCTS", "RATINGS", "TOPICS"]

PRODUCTS = (
    "Customer Portal",
    "Analytics Dashboard",
    "Mobile Sales App",
    "Data Warehouse Migration",
    "Premium Support Plan",
    "On-site Training",
    "Integration Services",
    "Security Audit",
    "Field Service Suite",
    "Cloud Backup",
    "Managed Wi-Fi",
    "Marketing Automation",
)

TOPICS = (
    "Interested in {product}",
    "{count} licenses of {product}",
    "{product} pilot",
    "Quote request: {product}",
    "{product} for {company}",
    "Demo of {product} requested",
)

# Topics of leads that come from existing customers.
CUSTOMER_TOPICS = (
    "Upgrade to {product}",
    "Renewal and expansion: {product}",
    "{count} more licenses of {product}",
    "Add {product} to the current contract",
)

# Lead ratings (1 Hot, 2 Warm, 3 Cold) weighted by state: qualified leads were mostly hot,
# disqualified ones cold.
RATINGS = {
    0: ((1, 3), (2, 5), (3, 2)),
    1: ((1, 6), (2, 3), (3, 1)),
    2: ((1, 1), (2, 3), (3, 6)),
}

# Qualification comments and descriptions, by the salesperson who worked the lead.
COMMENTS = (
    "Spoke with the buyer: {company} wants {product} live before the end of the quarter.",
    "Budget approved in principle; the committee meets next month to decide on {product}.",
    "Currently using a competitor; unhappy with support. Sent pricing for {product}.",
    "Needs a reference customer in the same industry before moving forward.",
    "Decision maker identified. Asked for a proposal covering {product} and training.",
    "Follow-up call booked; they want a live demo of {product} for their team.",
)

DESCRIPTIONS = (
    "Filled in the contact form asking about {product}.",
    "Met at the booth; {company} is reviewing vendors this year.",
    "Referred by an existing customer. Interested in {product}.",
    "Downloaded the {product} white paper twice.",
    "Asked for a call back about pricing and availability.",
)
