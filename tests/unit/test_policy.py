"""The password policy: each rule alone, all rules at once, and the two presets."""

from __future__ import annotations

import dataclasses

import pytest

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import Violation, reason_name
from passgate.identity.policy import PRESET_NAMES, PasswordPolicy, common_passwords

TOO_SHORT = reason_name(ErrorReason.PASSWORD_TOO_SHORT)
TOO_LONG = reason_name(ErrorReason.PASSWORD_TOO_LONG)
TOO_SIMILAR = reason_name(ErrorReason.PASSWORD_TOO_SIMILAR)
TOO_COMMON = reason_name(ErrorReason.PASSWORD_TOO_COMMON)
ENTIRELY_NUMERIC = reason_name(ErrorReason.PASSWORD_ENTIRELY_NUMERIC)
MISSING_CLASS = reason_name(ErrorReason.PASSWORD_MISSING_CHARACTER_CLASS)

SEED = PasswordPolicy.seed()
NIST = PasswordPolicy.nist()
STRONG = "Tr0ub4dor&3-Zebra"


def reasons(violations: list[Violation]) -> list[str]:
    return [violation.reason for violation in violations]


# --- presets ---------------------------------------------------------------------------------


def test_default_is_the_seed_preset() -> None:
    assert PasswordPolicy() == SEED
    assert SEED.min_length == 8
    assert SEED.max_length == 1024
    assert SEED.check_similarity and SEED.check_common
    assert SEED.forbid_entirely_numeric and SEED.require_character_classes


def test_nist_preset_is_length_and_blocklist_without_composition() -> None:
    assert NIST.min_length == 8
    assert NIST.max_length >= 64
    assert NIST.check_similarity and NIST.check_common
    assert not NIST.forbid_entirely_numeric and not NIST.require_character_classes


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_from_name_knows_every_preset(name: str) -> None:
    assert PasswordPolicy.from_name(name) == getattr(PasswordPolicy, name)()
    assert PasswordPolicy.from_name(f" {name.upper()} ") == getattr(PasswordPolicy, name)()


def test_from_name_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="seed, nist"):
        PasswordPolicy.from_name("strict")


@pytest.mark.parametrize(
    "knobs",
    [{"min_length": 0}, {"min_length": 10, "max_length": 9}, {"max_similarity": 0.0}],
)
def test_inconsistent_knobs_are_refused(knobs: dict[str, int | float]) -> None:
    with pytest.raises(ValueError):
        PasswordPolicy(**knobs)  # type: ignore[arg-type]


def test_policy_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SEED.min_length = 4  # type: ignore[misc]


# --- the seed rules, one at a time -----------------------------------------------------------


def test_a_strong_password_passes() -> None:
    assert SEED.check(STRONG, email="harriet.jones@example.org", username="harriet") == []


def test_too_short() -> None:
    assert SEED.check("Ab1!xyz") == [
        Violation("new_password", TOO_SHORT, "Your password must contain at least 8 characters.")
    ]
    assert SEED.check("Ab1!xyzw") == []


def test_empty_password_is_only_too_short() -> None:
    assert reasons(SEED.check("")) == [TOO_SHORT]


def test_too_long() -> None:
    assert reasons(SEED.check("Aa1!" + "x" * 1020)) == []
    assert SEED.check("Aa1!" + "x" * 1021) == [
        Violation("new_password", TOO_LONG, "Your password must contain at most 1024 characters.")
    ]


@pytest.mark.parametrize("password", ["P@ssw0rd", "Password1!", "pASSWORD1!", "  P@ssw0rd  "])
def test_too_common(password: str) -> None:
    assert SEED.check(password) == [
        Violation("new_password", TOO_COMMON, "Your password can't be a commonly used password.")
    ]


def test_entirely_numeric() -> None:
    policy = dataclasses.replace(SEED, require_character_classes=False)
    assert policy.check("73920481576") == [
        Violation("new_password", ENTIRELY_NUMERIC, "Your password can't be entirely numeric.")
    ]
    assert reasons(SEED.check("73920481576")) == [ENTIRELY_NUMERIC, MISSING_CLASS]


def test_full_width_digits_are_numeric_after_normalisation() -> None:
    full_width = "\uff17\uff13\uff19\uff12\uff10\uff14\uff18\uff11"
    assert ENTIRELY_NUMERIC in reasons(SEED.check(full_width))


@pytest.mark.parametrize(
    "password",
    [
        "tr0ub4dor&3-zebra",  # no capital letter
        "TR0UB4DOR&3-ZEBRA",  # no small letter
        "Troubador&three-Zebra",  # no number
        "Tr0ub4dor3Zebra",  # no special character
    ],
)
def test_missing_character_class(password: str) -> None:
    assert SEED.check(password) == [
        Violation(
            "new_password",
            MISSING_CLASS,
            "Your password must contain at least one capital letter, small letter, number "
            "and special character.",
        )
    ]


def test_space_and_non_ascii_count_as_special_and_letters() -> None:
    assert SEED.check("Zebra crossing 42") == []
    assert SEED.check("\u00c9l\u00e9phant\u00a742") == []


@pytest.mark.parametrize(
    ("password", "personal"),
    [
        ("Harriet.Jones1", {"email": "harriet.jones@example.org"}),
        ("HarrietJones1!", {"email": "harriet.jones@example.org"}),
        ("Jsmith2024!", {"username": "jsmith"}),
        ("jSMITH2024!", {"username": "JSmith"}),  # case does not hide similarity
        ("Moonlight77!", {"email": "moonlight77@example.org"}),  # one part of the address
        ("Moon_Walker9!", {"username": "moon_walker"}),
    ],
)
def test_too_similar_to_personal_data(password: str, personal: dict[str, str]) -> None:
    assert SEED.check(password, **personal) == [
        Violation(
            "new_password",
            TOO_SIMILAR,
            "Your password can't be too similar to your other personal information.",
        )
    ]


def test_dissimilar_passwords_pass_with_personal_data() -> None:
    assert SEED.check(STRONG, email="jsmith@example.org", username="jsmith") == []
    assert SEED.check("Jsmith-climbs-Everest-2024!", username="jsmith") == []


def test_similarity_ignores_missing_personal_data() -> None:
    assert SEED.check("Jsmith2024!", email=None, username="") == []


def test_all_broken_rules_are_reported_at_once() -> None:
    assert reasons(SEED.check("1234")) == [TOO_SHORT, TOO_COMMON, ENTIRELY_NUMERIC, MISSING_CLASS]
    broken = SEED.check("jsmith", username="jsmith")
    assert reasons(broken) == [TOO_SHORT, TOO_SIMILAR, MISSING_CLASS]


def test_violations_name_the_given_field() -> None:
    violations = SEED.check("1234", field="password")
    assert len(violations) >= 3
    assert {violation.field for violation in violations} == {"password"}


def test_length_counts_characters_after_normalisation() -> None:
    assert TOO_SHORT not in reasons(SEED.check("\U0001f510" * 7 + "Aa1"))  # 10 characters
    assert TOO_SHORT in reasons(SEED.check("\U0001f510" * 4 + "Aa1"))  # 7 characters, 19 bytes
    assert TOO_SHORT not in reasons(SEED.check("\ufb00" * 4))  # four "ff" ligatures: 8 characters


def test_seed_descriptions_follow_min_length() -> None:
    policy = dataclasses.replace(SEED, min_length=12)
    (violation,) = policy.check("Ab1!Ab1!Ab1")
    assert violation.description == "Your password must contain at least 12 characters."


# --- the NIST preset -------------------------------------------------------------------------


def test_nist_accepts_a_long_lowercase_passphrase() -> None:
    assert NIST.check("correct horse battery staple") == []
    assert NIST.check("73920481576") == []


def test_nist_rejects_common_and_short_passwords() -> None:
    assert reasons(NIST.check("password1")) == [TOO_COMMON]
    assert reasons(NIST.check("1234")) == [TOO_SHORT, TOO_COMMON]


def test_nist_checks_the_users_own_data() -> None:
    assert reasons(NIST.check("harriet.jones", email="harriet.jones@example.org")) == [TOO_SIMILAR]


# --- the blocklist ---------------------------------------------------------------------------


def test_common_list_holds_well_known_passwords() -> None:
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password", "123456", "qwerty", "iloveyou", "password1"} <= listed


def test_common_list_is_normalised_and_loaded_once() -> None:
    listed = common_passwords()
    assert common_passwords() is listed
    assert all(entry == entry.lower().strip() and entry for entry in listed)
    assert not any(entry.startswith("# ") for entry in listed)  # the header is not data
