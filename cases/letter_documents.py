"""A supervision letter as an official document (公文): the same text for the .docx a clerk edits in WPS and for
the printable page. Always in Chinese: it is sent to an employer or the labour bureau."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from cases.letter_flow import reply_workdays
from cases.models import LetterKind
from documents.official import OfficialDocument, cn_date


def _deadline(letter, n):
    if letter.reply_due is not None:
        return _("within %(n)d working days of receiving this letter (by %(day)s)") % {
            "n": n,
            "day": cn_date(letter.reply_due),
        }
    return _("within %(n)d working days of receiving this letter") % {"n": n}


def official(letter):
    """The letter's :class:`OfficialDocument`: 文号, addressee, body with the reply deadline, issuer, date."""
    with translation.override(settings.LANGUAGE_CODE):
        n = reply_workdays(letter)
        deadline = _deadline(letter, n)
        enterprise = letter.enterprise.name
        earlier = letter.escalated_from
        paragraphs = []
        if earlier is not None and letter.kind == LetterKind.PROPOSAL:
            paragraphs.append(
                _(
                    "On %(day)s our union sent %(enterprise)s %(kind)s %(number)s; the enterprise gave no written "
                    "answer within the time it set."
                )
                % {
                    "day": cn_date(earlier.issued_on),
                    "enterprise": enterprise,
                    "kind": earlier.get_kind_display(),
                    "number": earlier.number,
                }
            )
        elif earlier is not None:
            paragraphs.append(
                _(
                    "Our union sent you %(kind)s %(number)s on %(day)s; no written answer was received within the "
                    "time it set."
                )
                % {"kind": earlier.get_kind_display(), "number": earlier.number, "day": cn_date(earlier.issued_on)}
            )
        if letter.kind == LetterKind.PROPOSAL:
            paragraphs += [
                _("In its supervision of labour law our union found the following at %(enterprise)s:")
                % {"enterprise": enterprise},
                letter.problem,
                _(
                    "Under the Trade Union Law of the People's Republic of China, our union proposes that your "
                    "bureau deal with the matter according to law:"
                ),
                letter.request,
                _("Please tell our union in writing how the matter is registered and handled %(deadline)s.")
                % {"deadline": deadline},
            ]
        else:
            paragraphs += [
                _("In its supervision of labour law our union found the following in your enterprise:"),
                letter.problem,
                _(
                    "Under the Trade Union Law of the People's Republic of China and the laws on labour, our union "
                    "asks your enterprise:"
                ),
                letter.request,
                _("Please correct this and answer our union in writing %(deadline)s.") % {"deadline": deadline},
            ]
            if letter.kind == LetterKind.OPINION:
                paragraphs.append(
                    _(
                        "If no answer is received, our union will propose to the labour administration that it deal "
                        "with the matter according to law."
                    )
                )
        return OfficialDocument(
            title=_("Trade union legal supervision %(kind)s") % {"kind": _title(letter.kind)},
            number=letter.number,
            addressee=letter.addressee,
            paragraphs=paragraphs,
            issuer=letter.issuing_unit.name,
            issued_on=letter.issued_on,
        )


def _title(kind):
    return {
        LetterKind.NOTICE: _("reminder letter"),
        LetterKind.OPINION: _("opinion letter"),
        LetterKind.PROPOSAL: _("proposal letter"),
    }[kind]
