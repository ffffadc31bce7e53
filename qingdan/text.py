"""Clean text at every door.

Every text that comes in (form fields, API bodies and query strings, spreadsheet cells, public poll answers)
passes ``clean``: what is harmless is normalised (surrounding spaces, Windows line ends, the vertical tab that
Word puts in for a soft line break) and what no clerk types is refused, naming the character: NUL and the other
control characters, lone surrogates and the two non-characters U+FFFE/U+FFFF. They break XML (exports, official
documents), PostgreSQL (NUL) and UTF-8 (surrogates), so one of them stored would break every page that shows it.

Codes and numbers are also NFKC-normalised (``nfkc``): ３２０９２２ typed with a Chinese input method reads as
320922. Prose is not: NFKC would turn the full-width punctuation of Chinese text into ASCII.

Text stored before this check never breaks an export or a document: they write ``printable`` text.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

# The longest text a paragraph field takes (a report, an opinion, a question's text); a spreadsheet cell's limit is
# the setting QINGDAN_MAX_IMPORT_CELL_CHARS.
LONG_TEXT = 5000

# Tab, line feed and carriage return are the only C0 characters a person types.
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SOFT_BREAKS = re.compile("\r\n?|[\x0b\x0c]")


class Unclean(ValueError):
    """A text holds a character that is refused; ``message`` says which and where, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def problem(value):
    """Why ``value`` is refused (a sentence without the field's name), or None."""
    found = FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        kind = _("a broken character (an unpaired surrogate)")
    else:
        kind = _("an invisible control character")
    return _("contains %(kind)s, U+%(code)04X, at character %(position)d; delete it and try again.") % {
        "kind": kind,
        "code": ord(char),
        "position": found.start() + 1,
    }


def clean(value, *, multiline=True):
    """``value`` with harmless variants normalised, or ``Unclean``. Single-line text gets its line breaks and
    tabs as spaces (a title pasted from a table cell)."""
    value = SOFT_BREAKS.sub("\n", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    reason = problem(value)
    if reason is not None:
        raise Unclean(reason)
    return value.strip()


def clean_data(data, path=()):
    """JSON-like ``data`` with every text cleaned (multi-line allowed). Raises ``Unclean`` whose ``path`` is the
    place of the first refused text, e.g. ``("items", 3, "content")``; keys are checked as well."""
    if isinstance(data, str):
        try:
            return clean(data)
        except Unclean as exc:
            exc.path = path
            raise
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if isinstance(key, str) and problem(key):
                error = Unclean(problem(key))
                error.path = (*path, key)
                raise error
            result[key] = clean_data(value, (*path, key))
        return result
    if isinstance(data, list):
        return [clean_data(value, (*path, index)) for index, value in enumerate(data)]
    return data


def nfkc(value):
    """A code or a number as typed: NFKC (full-width digits and letters become ASCII, the ideographic space a
    space), without spaces around it."""
    return unicodedata.normalize("NFKC", value).strip()


def printable(value):
    """Text that XML and UTF-8 can carry, for exports and documents: soft breaks as line feeds, control
    characters dropped, a lone surrogate shown as �."""
    value = SOFT_BREAKS.sub("\n", value)
    return FORBIDDEN.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", value)
