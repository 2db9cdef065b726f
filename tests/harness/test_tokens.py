"""Unit tests for klanten_conformance.tokens."""

import jwt
import pytest

from klanten_conformance.tokens import authenticatie_claim, make_token

SECRET = "a-test-secret-of-reasonable-length"


def _decode(token: str, **options) -> dict:
    return jwt.decode(token, SECRET, algorithms=["HS256"], **options)


def test_token_has_zgw_claims_and_hs256() -> None:
    token = make_token("suite-client", SECRET, now=1_700_000_000)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    assert header["typ"] == "JWT"
    claims = _decode(token)
    assert claims == {
        "iss": "suite-client",
        "iat": 1_700_000_000,
        "client_id": "suite-client",
        "user_id": "klanten-conformance",
        "user_representation": "Klanten conformance suite",
    }


def test_token_uses_current_time_by_default() -> None:
    import time

    before = int(time.time())
    claims = _decode(make_token("c", SECRET))
    assert before <= claims["iat"] <= int(time.time()) + 1


def test_token_signed_with_other_secret_fails_verification() -> None:
    token = make_token("c", "another-secret-entirely-different")
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(token)


def test_custom_user_and_authenticatie_claim() -> None:
    authn = authenticatie_claim("natuurlijk_persoon", "123456782", "hoog")
    token = make_token(
        "c", SECRET, user_id="u1", user_representation="User One", authenticatie=authn
    )
    claims = _decode(token)
    assert claims["user_id"] == "u1"
    assert claims["user_representation"] == "User One"
    assert claims["authenticatie"] == {
        "subjectType": "natuurlijk_persoon",
        "identificatie": "123456782",
        "niveau": "hoog",
    }


def test_no_authenticatie_claim_unless_given() -> None:
    assert "authenticatie" not in _decode(make_token("c", SECRET))


def test_extra_claims_are_added_and_override() -> None:
    token = make_token(
        "c", SECRET, now=1000, extra_claims={"exp": 1500, "aud": "klanten", "iss": "someone"}
    )
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience="klanten", options={"verify_exp": False}
    )
    assert claims["exp"] == 1500
    assert claims["aud"] == "klanten"
    assert claims["iss"] == "someone"
    assert claims["client_id"] == "c"


def test_authenticatie_claim_default_level() -> None:
    assert authenticatie_claim("vestiging", "000012345678") == {
        "subjectType": "vestiging",
        "identificatie": "000012345678",
        "niveau": "substantieel",
    }


@pytest.mark.parametrize(
    ("subject_type", "niveau"), [("persoon", "laag"), ("natuurlijk_persoon", "midden")]
)
def test_authenticatie_claim_rejects_unknown_values(subject_type: str, niveau: str) -> None:
    with pytest.raises(ValueError):
        authenticatie_claim(subject_type, "123456782", niveau)
