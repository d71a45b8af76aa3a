"""Encrypted model fields: personal data is stored only as ciphertext (SPEC R9, R13).

A model with encrypted fields belongs to a *household* (a parent record) and says how to reach
its data key through ``household_key()``. Each encrypted field:

- stores an AES-GCM token (``pps.crypto.encrypt_field``) bound to its model, field and row id, in
  a text column, whatever the plaintext's type;
- reads as plaintext: the token is decrypted on first access, with the household's key, and the
  plaintext kept on the instance; a value assigned in code is plaintext and is encrypted when
  saved (``pre_save``), also by ``bulk_create``;
- cannot be filtered or ordered on in the database (the column holds ciphertext). Search goes
  through blind indexes instead (``cases.search``).

A model using these fields inherits from ``EncryptedModel``, which tells tokens read from the
database apart from plaintext assigned by code.
"""

from datetime import date

from django import forms
from django.db import models

from pps import crypto, form_fields


class HouseholdDestroyed(Exception):
    """The household's data key was destroyed: its encrypted fields can never be read again."""


class EncryptedModel(models.Model):
    """Base for models with encrypted fields; subclasses define ``household_key()``."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        tokens = instance.__dict__.setdefault("_encrypted_tokens", {})
        for field in cls._meta.concrete_fields:
            if isinstance(field, EncryptedField) and field.attname in instance.__dict__:
                tokens[field.attname] = instance.__dict__.pop(field.attname)
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """Reload from the database, encrypted fields included. ``from_db`` keeps their tokens
        aside, so Django takes them for deferred fields and its own refresh would leave their old
        values in place: their fresh tokens are read here, and decrypted on next read."""
        encrypted = {f.attname for f in self._meta.concrete_fields if isinstance(f, EncryptedField)}
        wanted = None if fields is None else list(fields)
        plain = None if wanted is None else [name for name in wanted if name not in encrypted]
        if plain is None or plain:
            super().refresh_from_db(using=using, fields=plain, from_queryset=from_queryset)
        reload = encrypted if wanted is None else encrypted.intersection(wanted)
        if not reload:
            return
        manager = from_queryset if from_queryset is not None else type(self)._base_manager.db_manager(using)
        fresh = manager.filter(pk=self.pk).only(*reload).get()
        tokens = self.__dict__.setdefault("_encrypted_tokens", {})
        for name in reload:
            self.__dict__.pop(name, None)
            tokens[name] = fresh.__dict__.get("_encrypted_tokens", {}).get(name, "")

    def household_key(self) -> bytes | None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def use_household_key(self, key: bytes) -> None:
        """Give this instance its household's data key, so that reading it costs no query
        (bulk loading, or lists where the key is already at hand)."""
        self.__dict__["_household_key"] = key

    def known_household_key(self) -> bytes | None:
        return self.__dict__.get("_household_key")


class EncryptedAttribute:
    """Decrypts on first read; keeps what code assigns as plaintext."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        attname = self.field.attname
        if attname in instance.__dict__:
            return instance.__dict__[attname]
        tokens = instance.__dict__.get("_encrypted_tokens", {})
        if attname in tokens:
            value = self.field.decrypt(instance, tokens[attname])
        else:  # a deferred field, not loaded yet
            instance.refresh_from_db(fields=[attname])
            value = self.field.decrypt(instance, instance.__dict__["_encrypted_tokens"][attname])
        instance.__dict__[attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):
    """A text column holding a token; reads and writes plaintext (``str``).

    ``max_length`` limits the plaintext (forms and ``full_clean``), not the column.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args, form_class=None, textarea=False, **kwargs):
        self.form_class = form_class
        self.textarea = textarea
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    # Plaintext <-> text for encryption; subclasses for other types override these two.
    def to_text(self, value) -> str:
        return "" if value is None else str(value)

    def from_text(self, text: str):
        return text

    def aad(self, instance) -> str:
        return crypto.field_aad(instance._meta.label, self.name, instance.pk)

    def decrypt(self, instance, token: str):
        if token in (None, ""):
            return self.from_text("")
        key = instance.household_key()
        if key is None:
            raise HouseholdDestroyed
        return self.from_text(crypto.decrypt_field(key, token, aad=self.aad(instance)))

    def pre_save(self, model_instance, add):
        attname = self.attname
        if attname not in model_instance.__dict__:
            # Never read or assigned since loading: the stored token is still right.
            return model_instance.__dict__.get("_encrypted_tokens", {}).get(attname, "")
        text = self.to_text(model_instance.__dict__[attname])
        key = model_instance.household_key()
        if key is None:
            if text == "":
                return ""  # nothing personal to protect (an NNG contact's empty notes)
            raise HouseholdDestroyed
        return crypto.encrypt_field(key, text, aad=self.aad(model_instance))

    def get_prep_value(self, value):
        # Lookups against ciphertext are meaningless: refuse them rather than match nothing.
        if value not in (None, "") and not crypto.is_encrypted_token(value):
            raise TypeError(f"{self.model.__name__}.{self.name} is encrypted and cannot be queried.")
        return value

    def value_from_object(self, obj):
        return getattr(obj, self.attname)

    def formfield(self, **kwargs):
        form_class = self.form_class or forms.CharField
        defaults = {}
        if issubclass(form_class, forms.CharField):
            defaults["max_length"] = self.max_length
            defaults["widget"] = forms.Textarea if self.textarea else forms.TextInput
        defaults.update(kwargs)
        # models.Field's own: label, help text, required; not TextField's (always a textarea).
        return models.Field.formfield(self, form_class=form_class, **defaults)


class EncryptedDateField(EncryptedField):
    """A date stored encrypted (ISO format inside the token); ``None`` when empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("form_class", form_fields.DateField)  # the GOV.UK date input
        super().__init__(*args, **kwargs)

    def to_text(self, value) -> str:
        return value.isoformat() if value else ""

    def from_text(self, text: str):
        return date.fromisoformat(text) if text else None

    def to_python(self, value):
        if value in (None, "") or isinstance(value, date):
            return value or None
        return date.fromisoformat(str(value))


class DataKeyField(models.TextField):
    """A household's data key, wrapped by the current master key. Saving makes one if needed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if add and not getattr(model_instance, self.attname):
            model_instance.household_key()  # generates the key of a new household
        return getattr(model_instance, self.attname)


class OwnDataKeyModel(EncryptedModel):
    """Base for records encrypted under a data key of their own (``data_key``), not a household's:
    a referral before the parent is known, a child-protection file that outlives its case.
    The key is made when the record is first saved; wiping ``data_key`` destroys the content."""

    data_key = DataKeyField()

    class Meta:
        abstract = True

    def _data_key_aad(self) -> bytes:
        return crypto.field_aad(self._meta.label, "data_key", self.pk).encode()

    def household_key(self) -> bytes | None:
        """The record's own data key; None once destroyed."""
        key = self.known_household_key()
        if key is not None:
            return key
        if self.data_key:
            key = crypto.unwrap_data_key(self.data_key, aad=self._data_key_aad())
        elif self._state.adding:
            key = crypto.new_data_key()
            self.data_key = crypto.wrap_data_key(key, aad=self._data_key_aad())
        else:
            return None
        self.use_household_key(key)
        return key
