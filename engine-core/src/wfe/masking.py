"""Keep secrets out of messages, logs, run records and manifests.

The one place in the monorepo that decides what a secret looks like; every
distribution imports it from here.

* :func:`is_secret_name`: does a name (a variable, a param, a query parameter, a
  mapping key) look like it holds a secret? A name is split into *parts* on ``_``,
  ``-``, ``.``, spaces and camelCase (``dbPassword`` -> ``db``, ``password``;
  ``AWSSecretAccessKey`` -> ``aws``, ``secret``, ``access``, ``key``), and a part
  matches when it *is* a secret word (``pass``, ``pwd``, ``key``, ``auth``, ...) or
  *ends with* a long one (``dbpassword``, ``apikey``, ``mytoken``). So ``DB_PASS``,
  ``KEY``, ``api_key`` and ``aws_secret_access_key`` are secrets and ``monkey``,
  ``passenger``, ``keyboard`` and ``tokenizer`` are not: a word that merely contains
  ``key`` or ``pass`` is not hidden, because hiding ordinary data makes records useless
  and a secret is almost always named by a whole word. The price: ``sort_key`` is
  hidden too (a harmless false positive).
* :func:`mask_text`: every URL in a text with its password, and the values of its
  secret-named query parameters (``?password=...``, ``&sslkey=...``), replaced by
  ``***``; everything else, the rest of each URL included, is kept byte for byte.
* :func:`mask_value`: the same through mappings and lists, recursively; a value under a
  secret-looking key is replaced by ``***`` whatever its type.

How a URL is read (as SQLAlchemy reads it, made tolerant of the mistakes people make
with passwords): a URL starts at ``scheme://`` and ends at whitespace. When the text
before the first ``:`` is a plain user name (no ``/``, ``?``, ``#`` or ``@``), the
password runs from that ``:`` to the first ``@`` after it, or to a later ``@`` when no
``?`` or ``#`` comes between: unencoded ``/``, ``:``, ``?``, ``#`` and ``@`` in a
password are masked with it. (The price: in ``http://host:80/@x`` the port and path
before the ``@`` are taken for a password and masked.) A query
parameter's value ends at ``&``, ``;``, ``#`` or whitespace; a closing quote or bracket
that matches the character just before the URL is kept, with punctuation after it
(``('...?password=x'),`` keeps ``'),``). When in doubt a little more than the secret is hidden, never less.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

__all__ = ["MASK", "is_secret_name", "mask_text", "mask_value", "mask_vars"]

#: What a hidden value is replaced with (SQLAlchemy shows URL passwords the same way).
MASK = "***"

#: A name part that *is* one of these words names a secret.
_SECRET_PARTS = frozenset(
    {
        "pass",
        "passwd",
        "password",
        "passwords",
        "passphrase",
        "pwd",
        "pw",
        "secret",
        "secrets",
        "token",
        "tokens",
        "key",
        "keys",
        "apikey",
        "credential",
        "credentials",
        "creds",
        "auth",
        "authorization",
        "cookie",
        "signature",
        "sslkey",
        "sslpassword",
    }
)
#: A name part that *ends with* one of these (long, unambiguous) words names a secret.
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
)
# Words of a name: runs of capitals not followed by a lower-case letter ("AWS" in
# "AWSSecret"), capitalised or lower-case words, digits.
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_CLOSERS = {"'": "'", '"': '"', "(": ")", "[": "]", "<": ">", "{": "}", "`": "`"}
_QUERY_SEPARATORS = "&;#"
_TRAILING_PUNCTUATION = frozenset(",.;:!?)]}>'\"")


def is_secret_name(name: object) -> bool:
    """Whether ``name`` looks like it names a secret (see the module docstring)."""
    for word in _WORDS.findall(str(name)):
        part = word.lower()
        if part in _SECRET_PARTS or part.endswith(_SECRET_SUFFIXES):
            return True
    return False


def mask_text(text: str) -> str:
    """``text`` with the password and the secret query parameters of every URL in it
    replaced by ``***``; nothing else changes."""
    if "://" not in text:
        return text
    pieces: list[str] = []
    done = 0
    for start in _URL_START.finditer(text):
        if start.start() < done:
            continue  # a "scheme://" inside a URL already handled (a query value, say)
        end = start.end()
        while end < len(text) and not text[end].isspace():
            end += 1
        closer = _CLOSERS.get(text[start.start() - 1]) if start.start() > 0 else None
        pieces.append(text[done : start.end()])
        pieces.append(_mask_url_rest(text[start.end() : end], closer))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_url_rest(rest: str, closer: str | None) -> str:
    """The part of a URL after ``scheme://``, masked."""
    user, colon, after = rest.partition(":")
    if colon and not any(c in user for c in "/?#@"):
        at = after.find("@")  # SQLAlchemy's rule: the password ends at the first "@" ...
        while at > 0:  # ... but an unencoded "@" in a password moves the end further on
            following = after.find("@", at + 1)
            if following < 0 or _first_of(after[at:following], "?#") < following - at:
                break
            at = following
        if at > 0:
            rest = f"{user}:{MASK}{after[at:]}"
    query_at = _first_of(rest, "?#")
    if query_at < len(rest) and rest[query_at] == "?":
        return rest[: query_at + 1] + _mask_query(rest[query_at + 1 :], closer)
    return rest


def _first_of(text: str, characters: str) -> int:
    """Index of the first of ``characters`` in ``text``, or ``len(text)``."""
    found = [i for i in (text.find(c) for c in characters) if i >= 0]
    return min(found, default=len(text))


def _mask_query(query: str, closer: str | None) -> str:
    out: list[str] = []
    position = 0
    while position < len(query):
        end = _first_of(query[position:], _QUERY_SEPARATORS) + position
        field = query[position:end]
        name, equals, value = field.partition("=")
        if equals and value and is_secret_name(unquote(name)):
            field = f"{name}={MASK}{_closing_tail(value, closer)}"
        elif equals:
            field = f"{name}={mask_text(value)}"  # a URL inside a value: ?next=https://u:pw@h
        out.append(field)
        if end < len(query) and query[end] == "#":
            out.append(query[end:])  # the fragment: not a query parameter
            break
        out.append(query[end : end + 1])
        position = end + 1
    return "".join(out)


def _closing_tail(value: str, closer: str | None) -> str:
    """The quote or bracket that closes the URL (plus punctuation after it) at the end of
    a query value, to keep it outside the mask: ``'...?password=x',`` keeps ``',``."""
    if closer is None or (at := value.rfind(closer)) < 0:
        return ""
    tail = value[at:]
    return tail if all(c in _TRAILING_PUNCTUATION for c in tail[1:]) else ""


def mask_value(value: Any, *, by_name: bool = True) -> Any:
    """``value`` with secrets hidden: strings through :func:`mask_text`; mappings and
    lists (and tuples) walked recursively. With ``by_name`` (the default) a value under a
    secret-looking key is replaced by ``***`` whatever its type; without it only the
    URLs in strings are masked (for structures whose keys are not names of values, such
    as a run record keyed by task names). Other values are returned as they are."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {
            key: MASK if by_name and is_secret_name(key) else mask_value(item, by_name=by_name)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_value(item, by_name=by_name) for item in value]
    return value


def mask_vars(values: Mapping[str, Any]) -> dict[str, Any]:
    """Workflow variables as they may be shown or stored: secret-looking names hidden,
    URLs masked, mappings and lists walked (see :func:`mask_value`)."""
    masked: dict[str, Any] = mask_value(values)
    return masked
