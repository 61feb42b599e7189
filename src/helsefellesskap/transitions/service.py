"""The transitions service: every use case the API, the web pages and the CLI call (fixed interface, see
docs/transitions.md). Each function takes the caller's `Session` (the caller owns the unit of work), the acting
`Principal` and `now` (UTC, injected); reads and writes of person data go through access control and so into
the audit log."""

from __future__ import annotations

from helsefellesskap.transitions.alerts_inbox import (
    acknowledge_alert,
    acknowledge_alerts,
    alert_page,
    assign_alert,
    comment_alert,
    list_alerts,
)
from helsefellesskap.transitions.batch import receive_batch, receive_messages, refresh_stays
from helsefellesskap.transitions.boards import (
    BoardTotals,
    MunicipalBoardPage,
    hospital_board,
    hospital_board_page,
    municipality_board,
    municipality_board_page,
    open_obligations,
)
from helsefellesskap.transitions.gp_list import GpListRow, gp_list
from helsefellesskap.transitions.ingest import answer_readiness, receive_message
from helsefellesskap.transitions.ledger_service import ledger_csv, payment_ledger
from helsefellesskap.transitions.timeline import person_pathway, person_timeline
from helsefellesskap.transitions.views import (
    AlertPage,
    AlertView,
    BoardPage,
    BoardRow,
    LedgerRow,
    ObligationView,
    ReceiptView,
    StayView,
    TimelineEntry,
)

__all__ = [
    "AlertPage",
    "AlertView",
    "BoardPage",
    "BoardRow",
    "BoardTotals",
    "GpListRow",
    "LedgerRow",
    "MunicipalBoardPage",
    "ObligationView",
    "ReceiptView",
    "StayView",
    "TimelineEntry",
    "acknowledge_alert",
    "acknowledge_alerts",
    "alert_page",
    "answer_readiness",
    "assign_alert",
    "comment_alert",
    "gp_list",
    "hospital_board",
    "hospital_board_page",
    "ledger_csv",
    "list_alerts",
    "municipality_board",
    "municipality_board_page",
    "open_obligations",
    "payment_ledger",
    "person_pathway",
    "person_timeline",
    "receive_batch",
    "receive_message",
    "receive_messages",
    "refresh_stays",
]
