"""The words of the care-transition pathway as the coordinators say them: labels of stay states, services,
answers, obligations, message types and alert statuses, translated with the page's catalogue."""

from __future__ import annotations

from collections.abc import Callable

Gettext = Callable[[str], str]

STATES = ("admitted", "ready_for_discharge", "municipality_cannot_receive", "municipality_can_receive",
          "discharged", "transferred", "died", "not_admitted")
SERVICES = ("somatic", "mental_health", "substance_abuse")
# A stay whose readiness notice stands: the municipality may answer (again) from its board.
ANSWERABLE_STATES = frozenset({"ready_for_discharge", "municipality_cannot_receive", "municipality_can_receive"})


def state_labels(_: Gettext) -> dict[str, str]:
    return {
        "not_admitted": _("Not admitted"),
        "admitted": _("Admitted"),
        "ready_for_discharge": _("Ready for discharge"),
        "municipality_cannot_receive": _("Municipality cannot receive yet"),
        "municipality_can_receive": _("Municipality can receive"),
        "discharged": _("Discharged"),
        "transferred": _("Transferred"),
        "died": _("Died"),
    }


def service_labels(_: Gettext) -> dict[str, str]:
    return {"somatic": _("Somatic"), "mental_health": _("Mental health care"),
            "substance_abuse": _("Substance abuse treatment")}


def obligation_labels(_: Gettext) -> dict[str, str]:
    return {
        "admission_notice": _("Admission notice"),
        "readiness_notice": _("Readiness notice"),
        "municipal_response": _("Municipality's answer"),
        "discharge_report": _("Discharge report"),
        "discharge_summary": _("Discharge summary"),
    }


def obligation_status_labels(_: Gettext) -> dict[str, str]:
    return {"met": _("Met"), "late": _("Late"), "missing": _("Missing"), "due": _("Due")}


def message_labels(_: Gettext) -> dict[str, str]:
    return {
        "admission": _("Admission"),
        "admission_notice": _("Admission notice"),
        "health_information": _("Health information"),
        "ready_for_discharge": _("Ready for discharge"),
        "ready_for_discharge_withdrawn": _("Readiness withdrawn"),
        "municipal_response": _("Municipality's answer"),
        "discharge": _("Discharge"),
        "discharge_report": _("Discharge report"),
        "discharge_summary": _("Discharge summary"),
    }


def alert_status_labels(_: Gettext) -> dict[str, str]:
    return {"open": _("Open"), "acknowledged": _("Acknowledged"), "resolved": _("Resolved"), "all": _("All")}


def rule_labels(_: Gettext) -> dict[str, str]:
    """Titles of the kasteball alert rules (`transitions.alerts.RULES`)."""
    return {
        "KB-REPEATED-TRANSITIONS": _("Repeated transitions"),
        "KB-READMISSION-30D": _("Readmitted within 30 days"),
        "KB-PRIORITY-NO-MUNICIPAL-ANSWER": _("Priority patient discharged without the municipality's answer"),
        "KB-PRIORITY-NO-DISCHARGE-REPORT": _("Priority patient discharged without a discharge report"),
        "KB-READINESS-REPEATED": _("Readiness withdrawn and given again"),
        "KB-OVERDUE-OBLIGATION": _("Overdue message"),
    }


def priority_group_labels(_: Gettext) -> dict[str, str]:
    """Short names of the priority groups of the national plan (`priority_groups.model.PriorityGroup`)."""
    return {
        "children_and_youth": _("Child/youth"),
        "severe_mental_illness_and_substance_use": _("Mental illness/substance use"),
        "frail_elderly": _("Frail elderly"),
        "multiple_chronic_conditions": _("Chronic conditions"),
        "pregnancy_birth_postnatal": _("Pregnancy/birth"),
    }


def destination_labels(_: Gettext) -> dict[str, str]:
    """Where a patient went on discharge (`transitions.messages.Destination`)."""
    return {
        "home": _("home"),
        "home_with_services": _("home with municipal services"),
        "short_term_stay": _("short-term stay"),
        "nursing_home": _("nursing home"),
        "municipal_acute_bed": _("municipal acute bed"),
        "other_hospital": _("another hospital"),
        "died": _("died"),
        "other": _("other"),
    }


def sex_labels(_: Gettext) -> dict[str, str]:
    return {"female": _("F"), "male": _("M"), "F": _("F"), "M": _("M"), "K": _("F")}


def vocabulary(_: Gettext) -> dict[str, dict[str, str]]:
    """Every label table, for a template: ``labels.state[row.state]``."""
    return {"state": state_labels(_), "service": service_labels(_), "obligation": obligation_labels(_),
            "obligation_status": obligation_status_labels(_), "message": message_labels(_),
            "alert_status": alert_status_labels(_), "rule": rule_labels(_), "group": priority_group_labels(_),
            "destination": destination_labels(_), "sex": sex_labels(_)}
