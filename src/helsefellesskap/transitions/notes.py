"""Stable codes for what the domain tells people in words: payment notes, alert details, receipt errors and
message summaries. The core returns a `Note` (a code and its parameters); the API gives its English `text`
(and the code), the web page renders the same template through its Babel catalogue (bokmål), with the
parameters formatted for the reader (dates, service and obligation names).

Each template is marked with `N_` so the translation tools find it; the template's English text is the msgid.
Parameters are strings: ISO dates and times, vocabulary codes (`service`, `obligation`, `status`), numbers,
ids. A template may leave a parameter out (the bokmål one uses the same names).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from helsefellesskap.text import N_

TEMPLATES: dict[str, str] = {
    # Payment (forskrift § 13 and the conditions of §§ 8-10; see payment.py)
    "PAY-NO-ADMISSION": N_(
        "no admission message: the § 8 condition and the paying municipality cannot be established"),
    "PAY-NO-ADMISSION-NOTICE": N_("§ 8: no admission notice was sent to the municipality, so no payment arises"),
    "PAY-LATE-ADMISSION-NOTICE": N_(
        "§ 8: the admission notice came later than 24 hours after admission, so no payment arises [B]"),
    "PAY-READINESS-NOT-NOTIFIED-SAME-DAY": N_(
        "§ 10: the readiness of %(date)s was not notified the same day, so no payment arises"),
    "PAY-2019-CONDITIONS": N_(
        "2019 change: for %(service)s the readiness of %(date)s needs a planning meeting called and the hospital's "
        "own follow-up clarified, so no payment arises [B]"),
    "PAY-STILL-WAITING": N_(
        "the patient is still waiting: days are counted when the patient leaves (or up to as_of)"),
    "PAY-BEFORE-SCHEME": N_("days before %(date)s are outside the payment scheme for %(service)s"),
    "PAY-UNPRICED-YEAR": N_(
        "no daily rate is known for %(year)s: its delayed-discharge days are counted but not priced; an "
        "administrator adds the rate from the state budget (helsefellesskap transitions rates set)"),
    # Alert details (alerts.py)
    "ALERT-READMITTED": N_(
        "readmitted %(days)s day(s) and %(hours)s hour(s) after the discharge of stay %(stay)s"),
    "ALERT-READINESS-REPEATED": N_("readiness given again %(count)s time(s) after a withdrawal"),
    "ALERT-UNANSWERED-AT-DISCHARGE": N_("discharged while the readiness notice was unanswered"),
    "ALERT-DISCHARGE-REPORT": N_("discharge report %(status)s"),
    "ALERT-OBLIGATION": N_("%(obligation)s %(status)s (due %(due)s)"),
    "ALERT-REPEATED-TRANSITIONS": N_("%(count)s transitions between levels within %(days)s days"),
    # Receipt errors (receipts.py, pathway.py): the code is the ErrorCode
    "invalid-message": N_("the message does not follow the message format (%(field)s)"),
    "readiness-criteria-missing": N_(
        "forskrift § 9: the assessment '%(criterion)s' is not documented, so the patient cannot be declared "
        "ready for discharge"),
    "id-conflict": N_("the message's id was already used for another message"),
    "patient-mismatch": N_("the message names another patient than the stay"),
    "before-admission": N_("this event lies before the stay's admission"),
    "admission-repeated": N_("the stay was already admitted (%(earlier)s)"),
    "already-ready": N_("a readiness notice is standing; withdraw it first"),
    "not-ready": N_("no standing readiness notice to withdraw"),
    "no-readiness-notice": N_("no standing readiness notice to answer"),
    "after-discharge": N_("the stay already ended (%(earlier)s)"),
    "already-discharged": N_("the stay already ended (%(earlier)s)"),
    # Message summaries on a timeline (timeline.py)
    "MSG-admission": N_("Admitted"),
    "MSG-admission_notice": N_("Admission notice to the municipality"),
    "MSG-health_information": N_("Health information"),
    "MSG-ready_for_discharge": N_("Ready for discharge"),
    "MSG-ready_for_discharge_withdrawn": N_("Readiness withdrawn"),
    "MSG-municipal_response-can": N_("The municipality's answer: can receive"),
    "MSG-municipal_response-cannot": N_("The municipality's answer: cannot receive yet"),
    "MSG-discharge": N_("Discharged"),
    "MSG-discharge_report": N_("Discharge report to municipal nursing"),
    "MSG-discharge_summary": N_("Discharge summary to the GP"),
    "MSG-invalid": N_("A message that failed the schema"),
}


class Note(NamedTuple):
    """A code from `TEMPLATES` and the values of its placeholders."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Note:
        if code not in TEMPLATES:
            raise KeyError(f"unknown note code {code!r}")
        return cls(code, tuple(sorted((name, str(value)) for name, value in params.items())))

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def text(self) -> str:
        """The English text (what the API and the CLI show)."""
        return render(TEMPLATES[self.code], self.values)

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "params": self.values, "text": self.text}


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "–"


def render(template: str, params: Mapping[str, str]) -> str:
    """`template % params`, where a parameter not given shows as a dash instead of failing."""
    return template % _Missing(params)
