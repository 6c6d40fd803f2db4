"""Cross-service: after-sale cases (tickets, PROCESSES.md §3) reach finance's ledger through the
real broker, the five services running as real processes.

- K1 → K2 a courier-liable outcome (CourierLiabilityAssigned) → a receivable from that courier;
  the case continues at C3 → C3B → C3B1 → C3B2 (AbnormalRefundApproved) → booked, and a line of
  the month's C4/C5 table (abnormal refunds);
- P1 → P2B → P2B1 the OA form approved, freight advanced (QualityReturnFreightAdvanced) → booked;
  then P2B2 QC's inspection (role qc) → P2B3 → C3B → C3B1 → C3B2 → the discount booked too.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc000"
    "00030101006f1bd6b40000000049454e44ae426082"
)


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


async def _booked(http: httpx.AsyncClient, finance: str, tokens: Tokens, account: str, case_id: str) -> list[Any]:
    page = await http.get(
        f"{finance}/ledger/transactions",
        params={"account": account, "limit": 200},
        headers=tokens.headers(Role.finance),
    )
    assert page.status_code == 200, page.text
    return [tx for tx in page.json()["items"] if tx["details"].get("case_id") == case_id]


def _postings(transaction: dict[str, Any]) -> dict[str, int]:
    return {p["account_code"]: p["amount_minor"] for p in transaction["postings"]}


async def _case(http: httpx.AsyncClient, tickets: str, tokens: Tokens, kind: str) -> str:
    order = f"TB-E2E-CASE-{uuid.uuid4().hex[:8]}"
    body = {"kind": kind, "order_id": order, "customer_id": "C-9", "merchant_id": "M-001", "summary": "e2e"}
    case = await _ok(await http.post(f"{tickets}/cases", json=body, headers=tokens.headers(Role.agent, subject="ann")))
    cid = str(case["id"])
    evidence = await http.post(
        f"{tickets}/cases/{cid}/evidence",
        files={"file": ("photo.png", PNG)},
        headers=tokens.headers(Role.customer, subject="C-9"),
    )
    await _ok(evidence)
    return cid


async def test_courier_liability_and_the_discount_reach_the_ledger(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    tickets, finance = stack["tickets"].url, stack["finance"].url
    agent, supervisor = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.supervisor, subject="sam")
    async with httpx.AsyncClient(timeout=10) as http:
        cid = await _case(http, tickets, tokens, "K")
        await _ok(await http.post(f"{tickets}/cases/{cid}/investigation", json={}, headers=agent))
        liable = {"liability": "courier", "courier": "YTO", "courier_owes_minor": 8800, "finding": "lost in transit"}
        await _ok(
            await http.post(f"{tickets}/cases/{cid}/liability", json=liable, headers=tokens.headers(Role.warehouse))
        )

        async def receivable() -> list[Any]:
            return await _booked(http, finance, tokens, "courier_receivables", cid)

        [transaction] = await eventually(receivable, message="the courier's receivable booked in finance")
        assert _postings(transaction) == {"courier_receivables": 8800, "courier_recoveries": -8800}
        assert (transaction["details"]["courier"], transaction["details"]["step"]) == ("YTO", "K2")

        await _ok(await http.post(f"{tickets}/cases/{cid}/remedy", json={"remedy": "discount", "note": "keeps"},
                                  headers=agent))  # fmt: skip
        refund = await _ok(await http.post(
            f"{tickets}/cases/{cid}/abnormal-refunds",
            json={"amount_minor": 2500, "exchange_cost_minor": 4000, "reason": "dented tin kept"},
            headers=agent,
        ))  # fmt: skip
        await _ok(await http.post(f"{tickets}/cases/{cid}/abnormal-refunds/{refund['id']}/approve", json={},
                                  headers=supervisor))  # fmt: skip

        async def discount() -> list[Any]:
            return await _booked(http, finance, tokens, "sales_allowances", cid)

        [booked] = await eventually(discount, message="the abnormal refund booked in finance")
        assert _postings(booked) == {"sales_allowances": 2500, "customer_refunds_payable": -2500}
        assert (booked["details"]["abnormal_refund_id"], booked["details"]["liability"]) == (refund["id"], "courier")
        month = booked["accounting_date"][:7]
        table = await http.get(
            f"{finance}/ledger/tables/abnormal_refunds/{month}",
            params={"limit": 200},
            headers=tokens.headers(Role.finance),
        )
        assert table.status_code == 200, table.text
        [line] = [line for line in table.json()["items"] if line["transaction_id"] == booked["id"]]
        assert (line["step"], line["amount_minor"], line["approved_by"], line["status"]) == (
            "C3B2", 2500, "sam", "booked",
        )  # fmt: skip


async def test_a_quality_complaint_through_qc_to_a_discount_is_booked(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    """Issue 18's quality path: P1 → P2B → P2B1 (freight advanced, booked) → P2B2 QC (role qc)
    → P2B3 → C3B → C3B1 → C3B2 (AbnormalRefundApproved) → booked, a line of the C4/C5 table."""
    tokens = Tokens(jwt_secret)
    tickets, finance = stack["tickets"].url, stack["finance"].url
    agent, supervisor = tokens.headers(Role.agent, subject="ann"), tokens.headers(Role.supervisor, subject="sue")
    async with httpx.AsyncClient(timeout=10) as http:
        cid = await _case(http, tickets, tokens, "P")
        judgement = {"quality_problem": True, "note": "cracked", "oa_form_no": "OA-E2E-1", "freight_minor": 1500}
        await _ok(await http.post(f"{tickets}/cases/{cid}/judgement", json=judgement,
                                  headers=tokens.headers(Role.agent, subject="ann")))  # fmt: skip
        await _ok(await http.post(f"{tickets}/cases/{cid}/oa-form/approve", json={},
                                  headers=tokens.headers(Role.supervisor, subject="sue")))  # fmt: skip

        async def freight() -> list[Any]:
            return await _booked(http, finance, tokens, "freight_advanced", cid)

        [transaction] = await eventually(freight, message="the advanced freight booked in finance")
        assert _postings(transaction) == {"freight_advanced": 1500, "customer_refunds_payable": -1500}
        assert transaction["details"]["approved_by"] == "sue"

        # P2B2: QC inspects the product sent back; an agent may not record it (role qc only).
        inspection = {"defective": True, "result": "glaze crack from firing: a production defect"}
        refused = await http.post(f"{tickets}/cases/{cid}/inspection", json=inspection, headers=agent)
        assert refused.status_code == 403, refused.text
        qc = tokens.headers(Role.qc, subject="quinn")
        inspected = await _ok(await http.post(f"{tickets}/cases/{cid}/inspection", json=inspection, headers=qc))
        assert (inspected["state"], inspected["qc_result"]) == ("inspected", f"defective: {inspection['result']}")
        # P2B3 → C3: the result told to the customer, who keeps the cup against a discount (C3B).
        informed = await _ok(await http.post(f"{tickets}/cases/{cid}/customer-informed", json={"note": "told"},
                                             headers=agent))  # fmt: skip
        assert informed["state"] == "negotiating"
        await _ok(await http.post(f"{tickets}/cases/{cid}/remedy", json={"remedy": "discount", "note": "keeps it"},
                                  headers=agent))  # fmt: skip
        refund = await _ok(await http.post(
            f"{tickets}/cases/{cid}/abnormal-refunds",
            json={"amount_minor": 3000, "exchange_cost_minor": 3000, "reason": "cracked glaze, kept"},
            headers=agent,
        ))  # fmt: skip
        await _ok(await http.post(f"{tickets}/cases/{cid}/abnormal-refunds/{refund['id']}/approve", json={},
                                  headers=supervisor))  # fmt: skip
        assert (await _ok(await http.get(f"{tickets}/cases/{cid}", headers=agent)))["state"] == "refunded"

        async def discount() -> list[Any]:
            return await _booked(http, finance, tokens, "sales_allowances", cid)

        [booked] = await eventually(discount, message="the quality case's abnormal refund booked in finance")
        assert _postings(booked) == {"sales_allowances": 3000, "customer_refunds_payable": -3000}
        assert (booked["details"]["abnormal_refund_id"], booked["details"]["liability"]) == (refund["id"], "shop")
        table = await http.get(
            f"{finance}/ledger/tables/abnormal_refunds/{booked['accounting_date'][:7]}",
            params={"limit": 200},
            headers=tokens.headers(Role.finance),
        )
        assert table.status_code == 200, table.text
        [line] = [line for line in table.json()["items"] if line["transaction_id"] == booked["id"]]
        assert (line["step"], line["amount_minor"], line["approved_by"]) == ("C3B2", 3000, "sue")
        # Both of the case's money movements are in the ledger: the freight advanced and the discount.
        assert len(await _booked(http, finance, tokens, "freight_advanced", cid)) == 1
