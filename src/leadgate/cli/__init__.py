"""The command line: administration of a leadgate organization."""
