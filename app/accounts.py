"""Counsellor accounts and their sign-in sessions (database side, no HTTP).

Passwords are hashed with argon2id through pwdlib. A session is a random token kept in a
cookie; the database holds only its SHA-256, so reading the database does not let anyone sign
in as a counsellor.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import as_utc
from app.db import detached, first_detached, write_session
from app.i18n import _
from app.models import Facilitator, FacilitatorSession, utcnow

PASSWORD_MIN = 10
PASSWORD_MAX = 256  # argon2 accepts more; a cap keeps a huge input from costing anything extra
SESSION_TOKEN_BYTES = 32  # 256 bits
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Control characters and lone surrogates: never part of an address or a name, and PostgreSQL
# refuses NUL in text outright.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

password_hash = PasswordHash.recommended()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = password_hash.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A refused account operation; the message is meant for the user (in the current
    language: French outside a request, e.g. in the CLI)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return _UNPRINTABLE.sub("", email).strip().lower()


def check_email(email: str) -> str:
    if _UNPRINTABLE.search(email.strip()):
        raise AccountError(_("Adresse électronique invalide : caractères non permis."), "email")
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL.match(email):
        raise AccountError(
            _("Adresse électronique invalide (exemple : prenom@structure.fr)."), "email"
        )
    return email


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise AccountError(
            _("Le mot de passe doit compter au moins %(num)s caractères.") % {"num": PASSWORD_MIN},
            "password",
        )
    if len(password) > PASSWORD_MAX:
        raise AccountError(
            _("Le mot de passe ne peut pas dépasser %(num)s caractères.") % {"num": PASSWORD_MAX},
            "password",
        )
    return password


def check_name(name: str) -> str:
    name = " ".join(_UNPRINTABLE.sub(" ", name).split())
    if not name:
        raise AccountError(_("Indiquez votre nom tel qu'il apparaîtra aux participants."), "name")
    if len(name) > 120:
        raise AccountError(
            _("Le nom ne peut pas dépasser %(num)s caractères.") % {"num": 120}, "name"
        )
    return name


def create_facilitator(*, engine: Engine, email: str, name: str, password: str) -> Facilitator:
    email, name = check_email(email), check_name(name)
    hashed = password_hash.hash(check_password(password))
    try:
        with write_session(engine) as session:
            facilitator = Facilitator(email=email, display_name=name, password_hash=hashed)
            session.add(facilitator)
            session.commit()
            return detached(session, facilitator, refresh=True)
    except IntegrityError as error:
        raise AccountError(_("Un compte existe déjà avec cette adresse."), "email") from error


def get_by_email(*, engine: Engine, email: str) -> Facilitator | None:
    with Session(engine) as session:
        return first_detached(
            session, select(Facilitator).where(Facilitator.email == normalise_email(email))
        )


def authenticate(*, engine: Engine, email: str, password: str) -> Facilitator | None:
    facilitator = get_by_email(engine=engine, email=email)
    if facilitator is None or len(password) > PASSWORD_MAX:
        password_hash.verify(password[:PASSWORD_MAX], _DUMMY_HASH)
        return None
    valid, new_hash = password_hash.verify_and_update(password, facilitator.password_hash)
    if not valid:
        return None
    if new_hash:  # the recommended parameters changed since this hash was made
        _store_hash(engine, facilitator.id, new_hash)
    return facilitator


def _store_hash(engine: Engine, facilitator_id: int, hashed: str) -> None:
    with write_session(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
        if facilitator is not None:
            facilitator.password_hash = hashed
            session.commit()


def set_password(
    *, engine: Engine, facilitator_id: int, password: str, keep_session: str | None = None
) -> None:
    """Change the password and sign out every other browser (all of them when keep_session is
    None, as after an administrator's reset)."""
    _store_hash(engine, facilitator_id, password_hash.hash(check_password(password)))
    with write_session(engine) as session:
        statement = delete(FacilitatorSession).where(
            FacilitatorSession.facilitator_id == facilitator_id
        )
        if keep_session:
            statement = statement.where(FacilitatorSession.token_hash != _digest(keep_session))
        session.execute(statement)
        session.commit()


def delete_facilitator(*, engine: Engine, facilitator_id: int) -> None:
    """Delete the account, its sessions and its workshops (cascade). The associations'
    diagnostics stay theirs: only their link to the workshops goes."""
    with write_session(engine) as session:
        facilitator = session.get(Facilitator, facilitator_id)
        if facilitator is not None:
            session.delete(facilitator)
            session.commit()


# --- Sessions ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(*, engine: Engine, facilitator_id: int, lifetime: timedelta) -> str:
    """A new session for this counsellor; returns the token for the cookie."""
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    now = utcnow()
    with write_session(engine) as session:
        # Expired sessions are swept when someone signs in, so the table never grows unbounded.
        session.execute(delete(FacilitatorSession).where(FacilitatorSession.expires_at < now))
        session.add(
            FacilitatorSession(
                token_hash=_digest(token),
                facilitator_id=facilitator_id,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
        session.commit()
    return token


def facilitator_for_session(*, engine: Engine, token: str) -> Facilitator | None:
    if not token or len(token) > 128:
        return None
    with Session(engine) as session:
        row = session.execute(
            select(Facilitator, FacilitatorSession.expires_at)
            .join(FacilitatorSession, FacilitatorSession.facilitator_id == Facilitator.id)
            .where(FacilitatorSession.token_hash == _digest(token))
        ).first()
        if row is None:
            return None
        facilitator, expires_at = row
        if as_utc(expires_at) <= utcnow():
            return None
        return detached(session, facilitator)


def close_session(*, engine: Engine, token: str) -> None:
    with write_session(engine) as session:
        session.execute(
            delete(FacilitatorSession).where(FacilitatorSession.token_hash == _digest(token))
        )
        session.commit()
