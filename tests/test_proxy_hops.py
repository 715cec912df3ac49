"""Behind proxies (GROWTH_PROXY_FIX_HOPS = n): the client's address is the one the nearest of
the n trusted proxies saw, so the sign-in throttle and the audit log count people, not the
proxy; an address a client writes into X-Forwarded-For itself is never trusted."""

import pytest

from growth.auth.service import account_key
from growth.models import AuditEvent, LoginFailure

from .conftest import PASSWORD

CLIENT = "203.0.113.7"
OTHER_CLIENT = "203.0.113.8"
SPOOFED = "198.51.100.66"


@pytest.fixture(params=[1, 2], ids=["one proxy", "two proxies"])
def hops(request):
    return request.param


@pytest.fixture
def app_config(hops):
    return {"PROXY_FIX_HOPS": hops}


def forwarded_for(client: str, hops: int, claimed: str | None = None) -> str:
    """X-Forwarded-For as it reaches the app: what the client claimed, if anything, then
    the address each proxy saw (the first proxy sees the client, each next one the proxy
    before it); the app sees the last proxy as the peer."""
    chain = [claimed] if claimed else []
    chain += [client] + [f"10.0.0.{n}" for n in range(1, hops)]
    return ", ".join(chain)


def sign_in(client, email, password, forwarded):
    return client.post("/login", data={"email": email, "password": password},
                       headers={"X-Forwarded-For": forwarded})


def test_the_throttle_and_the_audit_see_the_client_behind_the_proxies(world, client, hops):
    answer = sign_in(client, world.agent_a.email, "wrong password!!",
                     forwarded_for(CLIENT, hops))
    assert answer.status_code == 401
    failure = LoginFailure.get()
    assert (failure.account, failure.address) == (account_key(world.agent_a.email), CLIENT)
    event = AuditEvent.get(AuditEvent.action == "sign_in_failed")
    assert event.address == CLIENT


def test_an_address_the_client_writes_itself_is_not_trusted(world, client, hops):
    sign_in(client, world.agent_a.email, "wrong password!!",
            forwarded_for(CLIENT, hops, claimed=SPOOFED))
    assert LoginFailure.get().address == CLIENT
    assert AuditEvent.get(AuditEvent.action == "sign_in_failed").address == CLIENT
    assert not AuditEvent.select().where(AuditEvent.address == SPOOFED).exists()


def test_the_address_limit_counts_each_client_not_the_proxy(world, app, hops):
    LoginFailure.insert_many([{"account": f"someone{n}", "address": CLIENT}
                              for n in range(100)]).execute()
    refused = sign_in(app.test_client(), world.agent_a.email, PASSWORD,
                      forwarded_for(CLIENT, hops))
    assert refused.status_code == 429
    # Claiming another address in front does not lift the limit...
    assert sign_in(app.test_client(), world.agent_a.email, PASSWORD,
                   forwarded_for(CLIENT, hops, claimed=OTHER_CLIENT)).status_code == 429
    # ...and another person behind the same proxies is not held by it.
    assert sign_in(app.test_client(), world.agent_a.email, PASSWORD,
                   forwarded_for(OTHER_CLIENT, hops)).status_code == 302
