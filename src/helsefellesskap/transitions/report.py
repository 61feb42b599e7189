"""Plain JSON-able views of replay results (for `transitions replay --json`, and later the API), and the
ledger of payable days per municipality × health trust × month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from helsefellesskap.transitions.replay import StayResult


def _time(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def stay_summary(result: StayResult) -> dict[str, Any]:
    stay, payment = result.projection, result.payment
    return {
        "stay_id": result.stay_id,
        "patient": stay.patient or None,
        "state": str(stay.state),
        "service": str(stay.service) if stay.service else None,
        "hospital": stay.hospital,
        "municipality": stay.municipality,
        "obligations": [
            {
                "kind": str(o.kind),
                "party": str(o.party),
                "organisation": o.organisation,
                "due_at": _time(o.due_at),
                "met_at": _time(o.met_at),
                "status": str(o.status),
                "source": o.source,
            }
            for o in result.obligations
        ],
        "payable_days": payment.payable_days,
        "payable_dates": [day.date.isoformat() for day in payment.days],
        "unpriced_days": len(payment.unpriced_days),
        "amount_ore": payment.amount_ore,
        "amount_nok": f"{payment.amount_nok:.2f}",
        "payment_notes": [note.text for note in payment.notes],
        "payment_note_codes": [note.code for note in payment.notes],
        "readmission_of": result.readmission.previous_stay_id if result.readmission else None,
        "alerts": [
            {"id": a.rule_id, "party": str(a.party), "organisation": a.organisation, "at": _time(a.at),
             "detail": a.detail, "detail_code": a.note.code}
            for a in result.alerts
        ],
        "receipts": [
            {
                "message_id": r.message_id,
                "sender": r.sender,  # whose id it is: two senders may use the same id
                "status": str(r.status),
                "apprec_code": r.status.apprec_code,
                "duplicate": r.duplicate,
                "errors": [{"code": str(e.code), "detail": e.detail, "field": e.field} for e in r.errors],
            }
            for r in result.receipts
        ],
    }


@dataclass(slots=True)
class LedgerLine:
    municipality: str
    health_trust: str
    month: str  # YYYY-MM
    payable_days: int = 0
    unpriced_days: int = 0
    amount_ore: int = 0

    @property
    def amount_nok(self) -> Decimal:
        return Decimal(self.amount_ore) / 100


def ledger(results: Iterable[StayResult], health_trust_of: Callable[[str], str] | None = None) -> list[LedgerLine]:
    """Payable days and amounts per paying municipality × health trust × month (each day in its own month).
    `health_trust_of` maps the hospital's address to its trust (the registry knows); default: the address."""
    lines: dict[tuple[str, str, str], LedgerLine] = {}
    for result in results:
        municipality, hospital = result.payment.municipality, result.projection.hospital
        if municipality is None or hospital is None or not result.payment.days:
            continue
        trust = health_trust_of(hospital) if health_trust_of else hospital
        for day in result.payment.days:
            key = (municipality, trust, f"{day.date:%Y-%m}")
            line = lines.get(key) or lines.setdefault(key, LedgerLine(*key))
            line.payable_days += 1
            if day.ore is None:
                line.unpriced_days += 1
            else:
                line.amount_ore += day.ore
    return [lines[key] for key in sorted(lines)]


def totals(results: Iterable[StayResult]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    days = ore = 0
    for result in results:
        counts[str(result.state)] += 1
        days += result.payment.payable_days
        ore += result.payment.amount_ore
    return {"stays": sum(counts.values()), "states": dict(sorted(counts.items())), "payable_days": days,
            "amount_ore": ore, "amount_nok": f"{Decimal(ore) / 100:.2f}"}
