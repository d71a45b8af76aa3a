"""The audit log's configuration, in one place.

Every model is audited unless it is listed in ``EXCLUDED``. Fields that hold personal data are
masked in diffs (``MASKED``): the audit log records that they changed, never what they hold.
Object representations are ids (each model's ``__str__``), never names.
"""

#: Models that are not audited, and why.
EXCLUDED = [
    "sessions.Session",  # session rows, not records
    "contenttypes.ContentType",
    "auth.Permission",
    "pps.AuditEntry",  # the audit log itself
    "cases.CaseUserObjectPermission",  # recorded as CaseEvent (assigned/unassigned) instead
    "cases.CaseGroupObjectPermission",
    "cases.ContactChild",  # codes copied from the (audited) contact and child, for statistics
    "reports.DailyCount",  # counts of the (audited) contacts and cases, for statistics
    "reports.Reached",
    "axes.AccessAttempt",  # sign-in attempts: django-axes keeps its own record of them
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "imports.ImportedRecord",  # which record an old id became: that record has its own entry
]

#: Personal fields, masked in every audit diff.
MASKED = {
    "pps.User": ["password", "first_name", "last_name", "email", "work_phone"],
    "cases.Parent": [
        "first_name",
        "last_name",
        "phone",
        "email",
        "address",
        "postcode",
        "data_key",
    ],
    "cases.Child": ["first_name", "last_name", "date_of_birth", "school"],
    "cases.Case": ["summary"],
    "cases.CaseEvent": ["reason"],
    "cases.Contact": ["notes"],
    "cases.Correction": ["earlier", "reason"],
    "consent.Consent": ["parent_was_told", "named_organisation", "withdrawal_note"],
    "consent.Disclosure": ["what", "organisation", "legal_reference"],
    "consent.Referral": [
        "referrer_organisation",
        "referrer_name",
        "parent_first_name",
        "parent_last_name",
        "contact_detail",
        "data_key",
    ],
    "consent.SubjectAccessRequest": [
        "requester",
        "asked_for",
        "extension_reason",
        "identity_seen",
        "refusal_reason",
        "withheld",
    ],
    "rights.RequestStep": ["note"],
    "rights.Redaction": ["passage", "explanation"],
    "rights.ChildProtectionDecision": ["note"],
    "rights.AccessPack": ["pdf"],
    "rights.LegalRequest": [
        "officer",
        "organisation",
        "role",
        "legal_reason",
        "their_reference",
        "asked_for",
        "declined_reason",
        "extract",
    ],
    "safeguarding.Concern": ["what", "child_name", "parent_name", "data_key"],
    "safeguarding.BreakGlassAccess": ["explanation"],
    "safeguarding.Discussion": ["participants", "notes"],
    "safeguarding.ExternalReferral": ["person_spoken_to", "their_reference", "what_was_shared"],
    "training.CaseStudy": ["content", "returned_note", "data_key"],
    "training.CaseStudyEvent": ["note"],
    "documents.Document": ["title", "file_name"],
    "imports.ImportRun": ["data_key"],
    # Second-factor secrets: never copied into the audit log.
    "otp_totp.TOTPDevice": ["key"],
    "pps.AuthenticatorApp": ["secret"],
    "pps.BackupCodes": ["code_hashes"],
    "otp_static.StaticToken": ["token"],
}

#: Many-to-many fields whose changes are logged.
M2M = {"cases.Contact": ["topics"]}

AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = tuple(EXCLUDED)
AUDITLOG_INCLUDE_TRACKING_MODELS = tuple(
    {
        "model": model,
        "mask_fields": MASKED.get(model, []),
        "m2m_fields": M2M.get(model, []),
        "mask_callable": "pps.audit.mask_value",
    }
    for model in sorted(set(MASKED) | set(M2M))
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("last_login",)
AUDITLOG_LOGENTRY_MODEL = "pps.AuditEntry"
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True
