"""The platform's messages, one module per family, each ending in a MESSAGES registry."""
