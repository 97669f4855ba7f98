"""Validators: the seed's examples, the real-world mistakes, formats and patterns as JSON Schema means them."""

import pytest

from kustomer_contract.spec.schemas import validator_for

# The seed documentation's examples. Its email addresses were obfuscated by the page it was
# copied from ("[email protected]"), so plausible ones stand in; the second example's missing
# closing quote (type: 'facebook) is fixed. The third example and the options breakdown also
# carry `some_custom_attribute`, which no Klass can hold: their attributes validate and that
# name, alone, is refused (next test).
SEED_EXAMPLES = [
    {"attributes": {"emails": ["example@example.com"]}},
    {
        "attributes": {
            "emails": ["example@example.com"],
            "phones": ["5555555555"],
            "socials": [{"username": "facebook_username", "type": "facebook"}],
        }
    },
    {
        "attributes": {
            "emails": ["example@example.com", "example2@example.com"],
            "phones": ["5555555555", "8888888888"],
            "socials": [
                {"username": "facebook_username", "type": "facebook"},
                {"username": "twitter_username", "type": "twitter"},
            ],
        },
        "customAttributes": {
            "some_custom_attribute": "some_custom_value",
            "some_custom_attribute2": "some_custom_value2",
        },
    },
]


@pytest.mark.parametrize("payload", SEED_EXAMPLES)
def test_seed_examples_validate(v1, payload):
    problems = validator_for(v1).problems(payload)
    bad_names = {f"/customAttributes/{n}" for n in payload.get("customAttributes", {})}
    assert {p.pointer for p in problems} == bad_names
    assert all(p.keyword == "propertyNames" for p in problems)


def test_seed_custom_attribute_needs_a_type_suffix(v1):
    problems = validator_for(v1).problems(
        {"customAttributes": {"some_custom_attribute": "some custom value"}}
    )
    assert [(p.pointer, p.keyword) for p in problems] == [
        ("/customAttributes/some_custom_attribute", "propertyNames")
    ]
    assert "type suffix" in problems[0].message
    assert "Klass attribute name" in problems[0].message


@pytest.mark.parametrize(
    ("payload", "pointer", "keyword", "words"),
    [
        (
            {"attributes": {"emails": [None]}},
            "/attributes/emails/0",
            "type",
            "leave missing values out",
        ),
        (
            {"attributes": {"emails": [""]}},
            "/attributes/emails/0",
            "pattern",
            "leave empty values out",
        ),
        (
            {"attributes": {"emails": ["marsha@"]}},
            "/attributes/emails/0",
            "pattern",
            "is not an email address",
        ),
        (
            {"attributes": {"socials": [{"username": "m", "type": "Facebook"}]}},
            "/attributes/socials/0/type",
            "enum",
            "lower case",
        ),
        (
            {"attributes": {"sharedEmails": ["a@b.co"]}},
            "/attributes/sharedEmails",
            "additionalProperties",
            "v2",
        ),
        ({"sharedEmails": ["a@b.co"]}, "/sharedEmails", "additionalProperties", "--spec v2"),
        (
            {"attributes": {"phones": ["555-123"]}},
            "/attributes/phones/0",
            "pattern",
            "7 to 15 digits",
        ),
        (
            {"customAttributes": {"loyaltyPointsNum": "12"}},
            "/customAttributes/loyaltyPointsNum",
            "type",
            "number",
        ),
        (
            {"customAttributes": {"vipBool": 1}},
            "/customAttributes/vipBool",
            "type",
            "true, false or null",
        ),
    ],
)
def test_real_world_mistakes_say_what_to_do(v1, payload, pointer, keyword, words):
    problems = validator_for(v1).problems(payload)
    assert [(p.pointer, p.keyword) for p in problems] == [(pointer, keyword)]
    assert words in problems[0].message


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("lastOrderAt", "2024-05-01T12:30:00+05:45", "2024-05-01 12:30"),
        ("profileUrl", "https://example.com/p", "example.com/p"),
    ],
)
def test_formats_are_really_checked(v1, name, good, bad):
    # Without jsonschema's format extras both of these would pass silently.
    validator = validator_for(v1)
    assert validator.is_valid({"customAttributes": {name: good}})
    problems = validator.problems({"customAttributes": {name: bad}})
    assert [(p.pointer, p.keyword) for p in problems] == [(f"/customAttributes/{name}", "format")]


def test_pattern_dollar_is_the_end_of_the_string(v1):
    # Python's $ accepts a trailing newline; ECMA-262 (what JSON Schema and the SDK use) does not.
    assert not validator_for(v1).is_valid({"attributes": {"emails": ["marsha@example.com\n"]}})


@pytest.mark.parametrize(("value", "ok"), [(True, True), (None, True), ("true", False)])
def test_bool_suffix(v1, value, ok):
    assert validator_for(v1).is_valid({"customAttributes": {"vipBool": value}}) is ok


def test_num_suffix_refuses_booleans(v1):
    assert not validator_for(v1).is_valid({"customAttributes": {"loyaltyPointsNum": True}})
    assert validator_for(v1).is_valid({"customAttributes": {"loyaltyPointsNum": 1.5}})


def test_text_limit_is_1024(v1):
    validator = validator_for(v1)
    assert validator.is_valid({"customAttributes": {"bioTxt": "x" * 1024}})
    assert [
        p.keyword for p in validator.problems({"customAttributes": {"bioTxt": "x" * 1025}})
    ] == ["maxLength"]


def test_email_limit_is_254(v1):
    validator = validator_for(v1)
    at_limit = "a" * (254 - len("@example.com")) + "@example.com"
    assert validator.is_valid({"attributes": {"emails": [at_limit]}})
    assert not validator.is_valid({"attributes": {"emails": ["a" + at_limit]}})


def test_klass_names_are_checked(v1, klass):
    validator = validator_for(v1, klass=klass)
    assert validator.is_valid({"customAttributes": {"vipBool": True}})
    problems = validator.problems({"customAttributes": {"shoeSizeNum": 42}})
    assert [(p.pointer, p.keyword) for p in problems] == [
        ("/customAttributes/shoeSizeNum", "klass")
    ]
    assert "not an attribute of the Klass" in problems[0].message


def test_response_schema(v1):
    validator = validator_for(v1, "response")
    assert validator.is_valid({"customerId": "abc", "emails": [], "phones": [], "socials": []})
    problems = validator.problems({"customerId": 7, "emails": [], "phones": []})
    assert {(p.pointer, p.keyword) for p in problems} == {("/customerId", "type"), ("", "required")}
