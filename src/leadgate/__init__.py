"""leadgate: lead qualification that speaks the Dataverse Web API and explains its failures."""

__version__ = "0.1.0"
