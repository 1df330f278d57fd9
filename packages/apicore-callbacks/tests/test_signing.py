from __future__ import annotations

import datetime as dt

import pytest
import standardwebhooks

from apicore_callbacks import SettingsError, WebhookVerificationError, generate_secret, verify
from apicore_callbacks.delivery import sign, webhook_headers

# The Standard Webhooks known-answer vector (libraries/python/tests/test_webhooks.py).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TS = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_known_answer_vector() -> None:
    assert sign(MSG_ID, TS, BODY, SECRET) == EXPECTED
    assert sign(MSG_ID, TS, BODY, SECRET.removeprefix("whsec_")) == EXPECTED


def test_verify_accepts_the_vector() -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TS), "webhook-signature": EXPECTED}
    assert verify(BODY, headers, SECRET, now=TS + 10) == {"test": 2432232314}


def test_standardwebhooks_verifies_our_signatures() -> None:
    secret = generate_secret()
    now = int(dt.datetime.now(tz=dt.UTC).timestamp())
    headers = webhook_headers("job_abc", now, b'{"a":1}', [secret])
    assert standardwebhooks.Webhook(secret).verify(b'{"a":1}', headers) == {"a": 1}


def test_our_verify_accepts_standardwebhooks_signatures() -> None:
    secret = generate_secret()
    when = dt.datetime.now(tz=dt.UTC)
    signature = standardwebhooks.Webhook(secret).sign("msg_1", when, '{"b":2}')
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(int(when.timestamp())),
        "Webhook-Signature": signature,
    }
    assert verify('{"b":2}', headers, secret) == {"b": 2}


def test_rotation_signs_with_every_secret_and_each_verifies() -> None:
    old, new = generate_secret(), generate_secret()
    headers = webhook_headers("job_x", TS, b"{}", [new, old])
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        assert verify(b"{}", headers, secret, now=TS) == {}
    assert verify(b"{}", headers, [generate_secret(), old], now=TS) == {}


def test_unsigned_when_no_secret() -> None:
    assert "webhook-signature" not in webhook_headers("job_x", TS, b"{}")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"webhook-id": ""}, "missing"),
        ({"webhook-timestamp": "abc"}, "integer"),
        ({"webhook-timestamp": str(TS - 301)}, "tolerance"),
        ({"webhook-timestamp": str(TS + 301)}, "tolerance"),
        ({"webhook-signature": "v1,AAAA"}, "no webhook-signature"),
        ({"webhook-signature": "v2," + EXPECTED[3:]}, "no webhook-signature"),
        ({"webhook-id": MSG_ID + "x"}, "no webhook-signature"),
    ],
)
def test_verify_rejects(change: dict[str, str], match: str) -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TS), "webhook-signature": EXPECTED}
    headers.update(change)
    with pytest.raises(WebhookVerificationError, match=match):
        verify(BODY, headers, SECRET, now=TS)


def test_verify_rejects_a_tampered_body() -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TS), "webhook-signature": EXPECTED}
    with pytest.raises(WebhookVerificationError):
        verify(b'{"test": 1}', headers, SECRET, now=TS)


def test_several_signatures_one_valid() -> None:
    headers = {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TS),
        "webhook-signature": f"v1,Zm9v v2,abc {EXPECTED}",
    }
    assert verify(BODY, headers, SECRET, now=TS) == {"test": 2432232314}


def test_bad_secret_and_dotted_id() -> None:
    with pytest.raises(SettingsError, match="whsec_"):
        sign("id", TS, b"", "whsec_!!!")
    with pytest.raises(ValueError, match="'.'"):
        sign("a.b", TS, b"", SECRET)
    with pytest.raises(ValueError, match="24 to 64"):
        generate_secret(8)
