import uuid

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured

from pps import crypto
from pps.crypto import DecryptionError

K1 = crypto.generate_key_ring_text("k1")
K2 = crypto.generate_key_ring_text("k2")
PARENT_AAD = b"cases.Parent.data_key:7d9f6f0e-1d6b-4a3e-9a0c-3f1f7b1a2c11"


@pytest.fixture(autouse=True)
def keys(settings):
    crypto.reset_key_ring_cache()
    settings.FIELD_ENCRYPTION_KEYS = K1
    settings.SEARCH_INDEX_KEY = crypto.generate_search_key_text()
    yield
    crypto.reset_key_ring_cache()


@pytest.fixture
def data_key():
    return crypto.new_data_key()


def aad_for(field="first_name", pk=None):
    return crypto.field_aad("cases.Parent", field, pk or uuid.uuid4())


def tamper(token: str, position: int) -> str:
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


# Fields


def test_it_round_trips_a_field(data_key):
    aad = aad_for()
    token = crypto.encrypt_field(data_key, "Sarah", aad=aad)
    assert crypto.decrypt_field(data_key, token, aad=aad) == "Sarah"


def test_it_keeps_the_plaintext_out_of_the_token(data_key):
    token = crypto.encrypt_field(data_key, "Sarah Jones", aad=aad_for())
    assert token.startswith("e1.")
    assert "Sarah" not in token and "Jones" not in token


def test_it_encrypts_non_deterministically(data_key):
    aad = aad_for()
    assert crypto.encrypt_field(data_key, "Sarah", aad=aad) != crypto.encrypt_field(
        data_key, "Sarah", aad=aad
    )


def test_it_rejects_a_ciphertext_copied_to_another_row(data_key):
    row_a, row_b = uuid.uuid4(), uuid.uuid4()
    token = crypto.encrypt_field(data_key, "Sarah", aad=aad_for(pk=row_a))
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt_field(data_key, token, aad=aad_for(pk=row_b))
    assert isinstance(excinfo.value.__cause__, InvalidTag)


def test_it_rejects_a_ciphertext_copied_to_another_field(data_key):
    pk = uuid.uuid4()
    token = crypto.encrypt_field(data_key, "Sarah", aad=aad_for("first_name", pk))
    with pytest.raises(DecryptionError):
        crypto.decrypt_field(data_key, token, aad=aad_for("last_name", pk))


def test_it_rejects_a_ciphertext_under_another_households_key(data_key):
    aad = aad_for()
    token = crypto.encrypt_field(data_key, "Sarah", aad=aad)
    with pytest.raises(DecryptionError):
        crypto.decrypt_field(crypto.new_data_key(), token, aad=aad)


def test_it_rejects_a_tampered_field_token(data_key):
    aad = aad_for()
    token = crypto.encrypt_field(data_key, "Sarah", aad=aad)
    with pytest.raises(DecryptionError):
        crypto.decrypt_field(data_key, tamper(token, 30), aad=aad)


def test_it_rejects_a_value_that_is_not_a_token(data_key):
    with pytest.raises(DecryptionError):
        crypto.decrypt_field(data_key, "Sarah", aad=aad_for())


def test_it_encrypts_empty_strings_and_hides_short_lengths(data_key):
    aad = aad_for()
    empty = crypto.encrypt_field(data_key, "", aad=aad)
    name = crypto.encrypt_field(data_key, "Bartholomew", aad=aad)
    assert crypto.decrypt_field(data_key, empty, aad=aad) == ""
    assert len(empty) == len(name)


@pytest.mark.parametrize(
    "text",
    [
        "Zoë 👩‍👧‍👦 🏳️‍🌈",
        "invoice\u202egnp.exe",
        "Zoe\u0308 A\u0301\u0327",
        "zero\u200bwidth",
        "nul\x00inside and at the end\x00",
        "سارة جونز",
    ],
)
def test_it_round_trips_unicode(data_key, text):
    aad = aad_for()
    assert crypto.decrypt_field(data_key, crypto.encrypt_field(data_key, text, aad=aad), aad=aad) == text


def test_it_round_trips_a_100000_character_string(data_key):
    aad = aad_for("notes")
    text = ("Meeting notes é 📝 " * 10_000)[:100_000]
    assert crypto.decrypt_field(data_key, crypto.encrypt_field(data_key, text, aad=aad), aad=aad) == text


def test_it_refuses_a_lone_surrogate_without_echoing_it(data_key):
    with pytest.raises(ValueError) as excinfo:
        crypto.encrypt_field(data_key, "Sarah\ud800", aad=aad_for())
    assert "Sarah" not in str(excinfo.value)
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__


def test_it_recognises_encrypted_tokens(data_key):
    assert crypto.is_encrypted_token(crypto.encrypt_field(data_key, "", aad=aad_for()))
    assert not crypto.is_encrypted_token("e1.Sarah")
    assert not crypto.is_encrypted_token("Sarah")
    assert not crypto.is_encrypted_token(None)


def test_it_binds_the_aad_to_model_field_and_pk():
    pk = uuid.UUID("7d9f6f0e-1d6b-4a3e-9a0c-3f1f7b1a2c11")
    assert crypto.field_aad("cases.Parent", "first_name", pk) == f"cases.Parent.first_name:{pk}"


def test_it_refuses_to_bind_to_a_row_without_a_pk():
    with pytest.raises(ValueError):
        crypto.field_aad("cases.Parent", "first_name", None)


# Data keys


def test_it_round_trips_a_data_key(data_key):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    assert token.startswith("v1.k1.")
    assert crypto.unwrap_data_key(token, aad=PARENT_AAD) == data_key


def test_it_rejects_a_wrapped_key_moved_to_another_record(data_key):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    with pytest.raises(DecryptionError) as excinfo:
        crypto.unwrap_data_key(token, aad=b"cases.Parent.data_key:another")
    assert isinstance(excinfo.value.__cause__, InvalidTag)


def test_it_rejects_a_tampered_wrapped_key(data_key):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    with pytest.raises(DecryptionError):
        crypto.unwrap_data_key(tamper(token, len(token) - 10), aad=PARENT_AAD)


def test_it_rejects_an_unknown_master_key_id(data_key, settings):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    settings.FIELD_ENCRYPTION_KEYS = K2
    with pytest.raises(DecryptionError, match="'k1'.*FIELD_ENCRYPTION_KEYS"):
        crypto.unwrap_data_key(token, aad=PARENT_AAD)


def test_it_keeps_data_keys_readable_through_rotation(data_key, settings):
    old = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    settings.FIELD_ENCRYPTION_KEYS = f"{K2},{K1}"
    assert crypto.unwrap_data_key(old, aad=PARENT_AAD) == data_key
    new = crypto.rewrap_data_key(old, aad=PARENT_AAD)
    settings.FIELD_ENCRYPTION_KEYS = K2
    assert new.startswith("v1.k2.")
    assert crypto.unwrap_data_key(new, aad=PARENT_AAD) == data_key


def test_it_leaves_a_wrapped_key_under_the_current_key_unchanged(data_key):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    assert crypto.rewrap_data_key(token, aad=PARENT_AAD) == token


def test_it_does_not_rewrap_a_tampered_key(data_key):
    token = crypto.wrap_data_key(data_key, aad=PARENT_AAD)
    with pytest.raises(DecryptionError):
        crypto.rewrap_data_key(tamper(token, len(token) - 10), aad=PARENT_AAD)


# Configuration


def test_it_reports_a_missing_key_ring_by_name(settings):
    settings.FIELD_ENCRYPTION_KEYS = None
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        crypto.get_key_ring()


def test_it_works_before_the_setting_exists(settings):
    del settings.FIELD_ENCRYPTION_KEYS
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.get_key_ring()


SECRET_PART = "c2VjcmV0LXNob3VsZC1uZXZlci1iZS1lY2hvZWQ"


@pytest.mark.parametrize(
    "text",
    [
        f"k1:{SECRET_PART}",  # 29 bytes, not 32
        f"k1:{SECRET_PART}+/!",  # not base64url
        f"{K1},{K1.split(':')[0]}:{SECRET_PART}AAAAA",  # duplicate id
        f"{SECRET_PART}",  # no key id
        f"bad.id:{SECRET_PART}",  # a dot would break the token format
        " , ",  # empty
    ],
    # Named, since K1 is random: every test process must see the same test names.
    ids=["short", "not-base64url", "duplicate-id", "no-id", "dotted-id", "empty"],
)
def test_it_reports_a_malformed_key_ring_by_name_without_echoing_it(settings, text):
    settings.FIELD_ENCRYPTION_KEYS = text
    with pytest.raises(ImproperlyConfigured) as excinfo:
        crypto.get_key_ring()
    message = str(excinfo.value)
    assert "FIELD_ENCRYPTION_KEYS" in message
    assert SECRET_PART not in message and SECRET_PART[:8] not in message


def test_it_reads_the_key_ring_from_a_file(settings, tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"{K2}\n{K1}\n")
    settings.FIELD_ENCRYPTION_KEYS = None
    settings.FIELD_ENCRYPTION_KEYS_FILE = str(path)
    ring = crypto.get_key_ring()
    assert ring.current_id == "k2" and set(ring.keys) == {"k1", "k2"}


def test_it_reports_an_unreadable_key_file_by_name(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS_FILE = str(tmp_path / "missing")
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS_FILE"):
        crypto.get_key_ring()


def test_it_keeps_key_material_out_of_the_ring_repr():
    ring = crypto.get_key_ring()
    assert K1.split(":")[1] not in repr(ring)
    assert "k1" in repr(ring)


@pytest.mark.parametrize("value", [None, "", "too-short", "c2VjcmV0LXNob3VsZC1uZXZlci1iZS1lY2hvZWQ"])
def test_it_reports_a_missing_or_malformed_search_key_by_name(settings, value):
    settings.SEARCH_INDEX_KEY = value
    with pytest.raises(ImproperlyConfigured, match="SEARCH_INDEX_KEY") as excinfo:
        crypto.blind_index("name", "sarah")
    if value:
        assert value not in str(excinfo.value)


# Blind indexes


def test_it_gives_the_same_blind_index_for_the_same_input():
    assert crypto.blind_index("name", "sarah") == crypto.blind_index("name", "sarah")


def test_it_gives_different_blind_indexes_across_kinds():
    assert crypto.blind_index("name", "rg14") != crypto.blind_index("postcode", "rg14")


def test_it_gives_different_blind_indexes_under_another_key(settings):
    before = crypto.blind_index("name", "sarah")
    settings.SEARCH_INDEX_KEY = crypto.generate_search_key_text()
    assert crypto.blind_index("name", "sarah") != before


def test_it_keeps_the_plaintext_out_of_the_blind_index():
    token = crypto.blind_index("email", "sarah.jones@example.org")
    assert "sarah" not in token.lower() and "example" not in token.lower()
    assert len(token) == 22


def test_it_refuses_an_unknown_blind_index_kind():
    with pytest.raises(ValueError):
        crypto.blind_index("surname", "jones")
