"""Unit tests for klanten_conformance.testdata."""

import random

import pytest

from klanten_conformance.testdata import (
    elfproef,
    random_anp_identificatie,
    random_bsn,
    random_klantnummer,
    random_rsin,
    random_vestigingsnummer,
)


@pytest.mark.parametrize("number", ["111222333", "123456782", "999990019"])
def test_elfproef_accepts_known_valid_numbers(number: str) -> None:
    assert elfproef(number)


@pytest.mark.parametrize(
    "number",
    [
        "123456789",
        "111222334",
        "000000000",
        "12345678",
        "1234567820",
        "12345678a",
        "",
        "１２３４５６７８２",
    ],
)
def test_elfproef_rejects_invalid_numbers(number: str) -> None:
    assert not elfproef(number)


def test_elfproef_uses_minus_one_for_last_digit() -> None:
    # 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8 = 156 = 11*14 + 2, so the check digit is 2, not 9.
    assert elfproef("123456782")
    assert not elfproef("123456789")


@pytest.mark.parametrize("generate", [random_bsn, random_rsin])
def test_generated_numbers_pass_elfproef(generate) -> None:
    rng = random.Random(1234)
    for _ in range(500):
        number = generate(rng)
        assert len(number) == 9 and number.isdigit()
        assert number[0] != "0"
        assert elfproef(number), number


def test_default_generator_gives_distinct_numbers() -> None:
    numbers = {random_bsn() for _ in range(200)}
    assert len(numbers) > 190


def test_seeded_generator_is_reproducible() -> None:
    assert random_bsn(random.Random(7)) == random_bsn(random.Random(7))


def test_klantnummer_fits_max_length() -> None:
    values = {random_klantnummer() for _ in range(200)}
    assert len(values) > 190
    for value in values:
        assert 1 <= len(value) <= 8
        assert value.isalnum() and value == value.upper()


def test_vestigingsnummer_is_twelve_digits() -> None:
    for _ in range(100):
        value = random_vestigingsnummer()
        assert len(value) == 12 and value.isdigit()


def test_anp_identificatie_fits_max_length() -> None:
    values = {random_anp_identificatie() for _ in range(100)}
    assert len(values) == 100
    assert all(0 < len(value) <= 17 for value in values)
