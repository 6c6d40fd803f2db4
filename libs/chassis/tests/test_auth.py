"""Bearer tokens and per-endpoint grants, through the real app."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import jwt
import pytest

from aftersales_chassis import Role, mint_token
from aftersales_chassis.auth import TokenVerifier
from aftersales_chassis.errors import Unauthenticated

from .kit import Harness

BODY = {"name": "auth-widget", "quantity": 1}


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert str(body["type"]).endswith(f"/{code}")
    return body


async def test_no_token_is_401_with_a_challenge(harness: Harness) -> None:
    response = await harness.client.post("/widgets", json=BODY)
    _assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint_token("another-key-that-is-long-enough-for-hs256", subject="u-1", roles=[Role.agent]),
    ],
    ids=["garbage", "wrong-key"],
)
async def test_bad_tokens_are_401(harness: Harness, token: str) -> None:
    response = await harness.client.post("/widgets", json=BODY, headers={"Authorization": f"Bearer {token}"})
    _assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_token_signed_with_the_right_key_is_401(harness: Harness) -> None:
    token = mint_token(harness.jwt_secret, subject="u-1", roles=[Role.agent], ttl=timedelta(seconds=-5))
    response = await harness.client.get("/widgets", headers={"Authorization": f"Bearer {token}"})
    _assert_problem(response, 401, "unauthenticated")


async def test_wrong_role_is_403_and_says_who_may(harness: Harness) -> None:
    response = await harness.client.post("/widgets", json=BODY, headers=harness.auth(Role.customer))
    body = _assert_problem(response, 403, "forbidden")
    assert body["allowed"] == ["agent", "supervisor"]


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor])
async def test_right_role_is_admitted(harness: Harness, role: Role) -> None:
    response = await harness.client.post("/widgets", json=BODY, headers=harness.auth(role))
    assert response.status_code == 201, response.text
    listing = await harness.client.get("/widgets", headers=harness.auth(role))
    assert listing.status_code == 200


async def test_scoped_grant_admits_only_agents_holding_the_scope(harness: Harness) -> None:
    authorised = harness.auth(Role.agent, scopes=("refund:approve",), subject="agent-7")
    response = await harness.client.post("/widgets/approve-refund", headers=authorised)
    assert response.status_code == 200, response.text
    assert response.json() == {"approved_by": "agent-7"}

    plain_agent = harness.auth(Role.agent, scopes=("refund:view",))
    body = _assert_problem(await harness.client.post("/widgets/approve-refund", headers=plain_agent), 403, "forbidden")
    assert body["allowed"] == ["agent[refund:approve]", "supervisor"]

    # The scope alone is not a role: a customer holding it is still refused.
    customer = harness.auth(Role.customer, scopes=("refund:approve",))
    _assert_problem(await harness.client.post("/widgets/approve-refund", headers=customer), 403, "forbidden")
    supervisor = harness.auth(Role.supervisor)
    assert (await harness.client.post("/widgets/approve-refund", headers=supervisor)).status_code == 200


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_verifier_round_trip_and_refusals() -> None:
    verifier = TokenVerifier("k" * 32, "aftersales")
    token = mint_token("k" * 32, subject="m-1", roles=["merchant"], scopes=["a:b"], merchant_id="shop-9")
    principal = verifier.verify(token)
    assert principal.subject == "m-1"
    assert principal.roles == frozenset({Role.merchant})
    assert principal.scopes == frozenset({"a:b"})
    assert principal.merchant_id == "shop-9"
    with pytest.raises(Unauthenticated):
        verifier.verify(mint_token("k" * 32, subject="m-1", roles=["merchant"], issuer="someone-else"))
    with pytest.raises(Unauthenticated):
        TokenVerifier("x" * 32, "aftersales").verify(token)


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_verified_token_is_remembered_until_its_own_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    verifier = TokenVerifier("k" * 32, "aftersales", now=clock)
    decoded: list[str] = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda token, *a, **k: decoded.append(token) or decode(token, *a, **k))
    token = mint_token("k" * 32, subject="a-1", roles=["agent"], ttl=timedelta(minutes=10))
    first = verifier.verify(token)
    assert verifier.verify(token) is first
    assert decoded == [token]  # the second request paid no verification
    clock.now += 9 * 60
    assert verifier.verify(token) is first
    clock.now += 61  # past exp: refused, even though it was remembered
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)
    assert decoded == [token]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_token_that_failed_is_not_remembered_and_a_changed_token_is_verified_afresh() -> None:
    verifier = TokenVerifier("k" * 32, "aftersales")
    token = mint_token("k" * 32, subject="a-1", roles=["agent"])
    verifier.verify(token)
    header, payload, signature = token.split(".")
    forged = mint_token("other-key" * 4, subject="a-1", roles=["agent", "supervisor"]).split(".")[1]
    for tampered in (f"{header}.{forged}.{signature}", f"{header}.{payload}.{signature[:-2]}xx"):
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                verifier.verify(tampered)
    with pytest.raises(Unauthenticated):  # another key: the first verifier's memory is its own
        TokenVerifier("x" * 32, "aftersales").verify(token)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_the_verifier_remembers_a_bounded_number_of_tokens() -> None:
    verifier = TokenVerifier("k" * 32, "aftersales", remember=3)
    tokens = [mint_token("k" * 32, subject=f"a-{n}", roles=["agent"]) for n in range(5)]
    assert [verifier.verify(token).subject for token in tokens] == [f"a-{n}" for n in range(5)]
    assert list(verifier._verified) == tokens[2:]  # the oldest forgotten first


def test_minting_a_dev_token_loads_no_app_machinery() -> None:
    """`make token` imports the minting module only: not the app, the ORM or the broker client
    (which took 2.4 s a call, most of the README walk-through's time)."""
    import subprocess
    import sys

    heavy = "{'fastapi', 'sqlalchemy', 'aiokafka', 'aftersales_events', 'pydantic_settings'}"
    probe = (
        "import sys, io, contextlib\n"
        "from aftersales_chassis.token import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: main(['--role', 'agent', '--sub', 'x'])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))\n"
        "print(out.getvalue().count('.'))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded, dots = result.stdout.splitlines()
    assert loaded == "[]"
    assert dots == "2"  # a JWT: header.payload.signature


def test_no_export_of_the_package_shares_its_name_with_a_module() -> None:
    """A module named like an export would shadow it once imported (the lazy exports are
    looked up only when the package has no such attribute)."""
    from pathlib import Path

    import aftersales_chassis

    modules = {p.stem for p in Path(aftersales_chassis.__file__).parent.glob("*.py")}
    assert modules & set(aftersales_chassis.__all__) == set()
