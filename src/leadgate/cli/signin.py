"""How ``leadgate serve`` tells people to sign in: the app's URL (and the demo's sign-ins,
when the database holds the demo), then the Web API's, an API token, a curl to paste.

With ``--token-file`` the token survives restarts: the first start writes it (readable by its
owner only) and every later start reuses it while it still signs in the same user, so a
terminal that exported it keeps working after the server is restarted.
"""

from __future__ import annotations

import os
from pathlib import Path

from leadgate.cli.output import say
from leadgate.platform import Organization
from leadgate.platform.engine import errors
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.users.messages import CreateApiTokenRequest

__all__ = ["TOKEN_NAME", "announce", "announce_app", "demo_sign_ins", "issue_token", "shown_host"]

TOKEN_NAME = "leadgate serve"


def shown_host(host: str) -> str:
    """The host to type in a URL: a wildcard address is reached as localhost."""
    if host in ("0.0.0.0", "::", ""):
        return "localhost"
    return f"[{host}]" if ":" in host else host


def _kept_token(organization: Organization, email: str, token_file: Path) -> str | None:
    """The token in the file, if it still signs in ``email``."""
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not token:
        return None
    try:
        user = organization.authenticate(token)
    except LeadgateError as error:
        if error.kind is errors.NOT_AUTHENTICATED:  # revoked: make another
            return None
        raise  # a disabled user: a new token would not sign in either
    return token if user.email.casefold() == email.strip().casefold() else None


def _write_private(path: Path, text: str) -> None:
    """Write a secret readable by its owner only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through os.open


def issue_token(organization: Organization, email: str, token_file: Path | None) -> str:
    """The API token to print for ``email``.

    With a token file: the one it holds while it is valid, else a new one written to it; no
    other token is revoked, so nobody who followed an earlier start is locked out. Without:
    a new token that replaces the one the previous start issued.
    """
    if token_file is not None:
        kept = _kept_token(organization, email, token_file)
        if kept is not None:
            return kept
    system = organization.system_service()
    user = system.find_user(email)
    token = system.execute(
        CreateApiTokenRequest(user.to_reference(), name=TOKEN_NAME, replace=token_file is None)
    ).token
    if token_file is not None:
        _write_private(token_file, token)
    return token


def demo_sign_ins(organization: Organization) -> list[str]:
    """The demo's administrator and salesperson, each only if they sign in with the demo
    password here and now: what is printed works as printed (an address removed, disabled or
    given another password is left out)."""
    from leadgate.sales.demo import ADMIN_EMAIL, DEMO_PASSWORD, SALESPERSON_EMAIL

    working = []
    for email in (ADMIN_EMAIL, SALESPERSON_EMAIL):
        try:
            organization.sign_in(email, DEMO_PASSWORD)
        except LeadgateError:
            continue
        working.append(email)
    return working


def announce_app(organization: Organization, app_url: str) -> None:
    """Print the address to open in a browser, and the demo's sign-ins when they work."""
    from leadgate.sales.demo import ADMIN_EMAIL, DEMO_PASSWORD

    say(N_("Open {url} in a browser to use the sales app."), url=app_url)
    for email in demo_sign_ins(organization):
        say(
            N_("Demo administrator: {email}, password {password}")
            if email == ADMIN_EMAIL
            else N_("Demo salesperson: {email}, password {password}"),
            email=email, password=DEMO_PASSWORD,
        )  # fmt: skip


def announce(api_url: str, email: str | None, token: str | None, token_file: Path | None) -> None:
    """Print where the Web API is and how to sign in to it (``token``: issued for ``email``
    before anything is announced, so that a wrong address stops the server before it says it
    serves)."""
    say(N_("leadgate is serving {url}"), url=api_url + "/")
    if email is None or token is None:
        say(N_("Create an API token with: leadgate token create --email <email>"))
        return
    if token_file is None:
        say(N_("API token for {email}: {token}"), email=email, token=token)
    else:
        say(
            N_("API token for {email}: {token} (kept in {file}: the same at every start)"),
            email=email, token=token, file=token_file,
        )  # fmt: skip
    say(
        N_("Try: curl -H 'Authorization: Bearer {token}' {url}"),
        token=token, url=f"{api_url}/WhoAmI",
    )  # fmt: skip
