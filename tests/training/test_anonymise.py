"""The anonymiser: every identifying detail it knows or recognises is replaced, nothing else."""

from datetime import date

import pytest

from training.anonymise import Anonymiser, age_band, age_on, checks_in, highlight


@pytest.fixture
def anonymiser():
    a = Anonymiser(start=date(2024, 3, 4))  # a Monday
    a.add_person("Parent A", "Sarah", "Jones", "Sarah Jones")
    a.add_person("Child 1", "Mary-Ann O'Brien-Smith", "Mary-Ann")
    a.add_person("Child 2", "Ann", "Ann Jones")
    a.add_person("Caseworker 1", "Will Hughes", "Will", "Hughes")
    a.add_person("Parent B", "Jean-Luc van der Berg", "Jean-Luc")
    a.add_school("Oakfield Primary School")
    a.add_address("12 Church Lane\nMaidstone")
    return a


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sarah called.", "Parent A called."),
        ("SARAH called; sarah called back.", "Parent A called; Parent A called back."),
        ("Sarah's son and Sarah’s daughter.", "Parent A's son and Parent A’s daughter."),
        ("Mrs Jones rang, then Ms. Jones emailed.", "Parent A rang, then Parent A emailed."),
        ("Sarah Jones came in.", "Parent A came in."),
        ("Mary-Ann O'Brien-Smith is 9.", "Child 1 is 9."),
        ("Mary Ann O’Brien Smith is 9.", "Child 1 is 9."),
        ("Mary-Ann likes Lego.", "Child 1 likes Lego."),
        ("Smith said so.", "Child 1 said so."),
        ("Jean-Luc van der Berg and Jean Luc.", "Parent B and Parent B."),
        (
            "Ann went to the annual review with Annabel and Joanne.",
            "Child 2 went to the annual review with Annabel and Joanne.",
        ),
        ("The planning meeting with Jonesy.", "The planning meeting with Jonesy."),
        ("Will Hughes called. She will send it.", "Caseworker 1 called. She will send it."),
        ("WILL called.", "Caseworker 1 called."),
        ("Oakfield Primary School refused; Oakfield said no.", "School X refused; School X said no."),
        ("Lives at 12 Church Lane, Maidstone.", "Lives at [address removed], [address removed]."),
        ("The ex-Jones family.", "The ex-Parent A family."),
    ],
)
def test_known_names_become_their_pseudonyms(anonymiser, text, expected):
    assert anonymiser.scrub(text) == expected


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "07700.900.123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "(01632) 960 001",
        "01632 960001",
        "0161 496 0000",
        "020 7946 0958",
        "0800 123 4567",
        "+33 1 23 45 67 89",
    ],
)
def test_phone_numbers_in_every_format_are_removed(anonymiser, phone):
    assert anonymiser.scrub(f"Call her on {phone} after 3.") == "Call her on [phone number removed] after 3."


@pytest.mark.parametrize(
    "email", ["sarah.jones@example.org", "SJ+school@mail.example.co.uk", "o'brien_family@example.com"]
)
def test_emails_are_removed(anonymiser, email):
    assert anonymiser.scrub(f"Email {email}, please.") == "Email [email removed], please."


@pytest.mark.parametrize(
    "postcode", ["ME14 1XX", "me14 1xx", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN551PT"]
)
def test_uk_postcodes_are_removed(anonymiser, postcode):
    assert anonymiser.scrub(f"Postcode {postcode}.") == "Postcode [postcode removed]."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Meeting on 12/03/2024.", "Meeting in week 2."),
        ("Meeting on 12.3.24.", "Meeting in week 2."),
        ("Meeting on 2024-03-12.", "Meeting in week 2."),
        ("Meeting on Tuesday 12th March 2024.", "Meeting in week 2."),
        ("Meeting on 12 Mar 2024.", "Meeting in week 2."),
        ("Meeting on March 12th, 2024.", "Meeting in week 2."),
        ("Seen 4 March 2024 and 18/03/2024.", "Seen week 1 and week 3."),
        ("Diagnosed 1 February 2024.", "Diagnosed 5 weeks before the case opened."),
        ("The deadline is 15 February.", "The deadline is in February."),
        ("Due by 15 February.", "Due by February."),
        ("Call back on 12/03.", "Call back in March."),
        ("Dated 31/02/2024.", "Dated [date removed]."),
    ],
)
def test_dates_in_several_formats_become_weeks_of_the_case_or_months(anonymiser, text, expected):
    assert anonymiser.scrub(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He is aged 7.", "He is aged 5 to 10."),
        ("A 13-year-old boy.", "A 11-to-15-year-old boy."),
        ("She is 4 years old.", "She is under 5 years old."),
        ("Age 17 now.", "aged 16 to 18 now."),
    ],
)
def test_ages_are_kept_as_bands(anonymiser, text, expected):
    assert anonymiser.scrub(text) == expected


def test_people_and_schools_the_system_does_not_know_are_replaced_when_recognisable(anonymiser):
    text = "Mrs Patel, the SENCO at St Peter's Infant School, met Dr Okafor. Mrs Patel agreed."
    assert anonymiser.scrub(text) == "Person 1, the SENCO at School X, met Person 2. Person 1 agreed."


def test_street_addresses_the_system_does_not_know_are_removed(anonymiser):
    assert anonymiser.scrub("She moved to 4a Acacia Avenue last week.") == (
        "She moved to [address removed] last week."
    )


def test_links_are_removed(anonymiser):
    assert anonymiser.scrub("See https://example.org/family?id=3 or www.example.org.") == (
        "See [link removed] or [link removed]"
    )


def test_text_without_anything_identifying_is_unchanged(anonymiser):
    text = "Explained the EHC needs assessment process and the six-week deadline for a decision."
    assert anonymiser.scrub(text) == text


def test_pseudonyms_are_consistent_and_given_in_order():
    a = Anonymiser(start=date(2024, 1, 1))
    assert a.pseudonyms.label("School", "one") == "School X"
    assert a.pseudonyms.label("School", "two") == "School Y"
    assert a.pseudonyms.label("School", "one") == "School X"
    assert a.pseudonyms.label("Child", "c") == "Child 1"
    assert a.pseudonyms.label("Parent", "p") == "Parent A"


def test_dates_of_the_case_are_weeks():
    a = Anonymiser(start=date(2024, 3, 4))
    assert a.when(date(2024, 3, 4)) == "week 1"
    assert a.when(date(2024, 3, 10)) == "week 1"
    assert a.when(date(2024, 3, 11)) == "week 2"
    assert a.when(date(2024, 2, 26)) == "1 week before the case opened"


@pytest.mark.parametrize(
    "years, band",
    [
        (0, "under 5"),
        (4, "under 5"),
        (5, "5 to 10"),
        (10, "5 to 10"),
        (11, "11 to 15"),
        (18, "16 to 18"),
        (25, "19 to 25"),
        (30, "over 25"),
    ],
)
def test_age_bands(years, band):
    assert age_band(years) == band


def test_age_counts_whole_years_to_the_birthday():
    assert age_on(date(2016, 3, 5), date(2024, 3, 4)) == 7
    assert age_on(date(2016, 3, 4), date(2024, 3, 4)) == 8
    assert age_on(date(2016, 2, 29), date(2024, 2, 28)) == 7


def test_remaining_capitalised_words_numbers_and_months_are_highlighted():
    parts = highlight("Parent A met Gary from Acme on Friday about 3 things in March. School X agreed.")
    assert [part.text for part in parts if part.check] == ["Gary", "Acme", "3", "March"]
    assert "".join(part.text for part in parts) == (
        "Parent A met Gary from Acme on Friday about 3 things in March. School X agreed."
    )


def test_placeholders_and_ordinary_words_are_not_highlighted():
    text = (
        "The SENCO told Parent A that Child 1, aged 5 to 10, moves in week 3 to School X. "
        "[phone number removed]."
    )
    assert checks_in(text) == 0


def test_short_names_are_not_replaced_inside_other_words():
    a = Anonymiser(start=date(2024, 3, 4))
    a.add_person("Parent A", "Jo Ed", "Jo", "Ed")
    assert a.scrub("Jo edited the plan with Joanne; Ed educated Jo's and ED's friends.") == (
        "Parent A edited the plan with Joanne; Parent A educated Parent A's and Parent A's friends."
    )


def test_a_name_that_is_also_a_word_is_replaced_only_when_written_as_a_name():
    a = Anonymiser(start=date(2024, 3, 4))
    a.add_person("Child 1", "Grace", "Hope")
    assert a.scrub("Grace said there is hope; by the grace of the panel. HOPE agreed.") == (
        "Child 1 said there is hope; by the grace of the panel. Child 1 agreed."
    )


def test_a_name_given_whole_wins_over_the_same_word_as_part_of_another_name():
    a = Anonymiser(start=date(2024, 3, 4))
    a.add_person("Child 1", "Mary-Ann")
    a.add_person("Child 2", "Ann")
    assert a.scrub("Mary-Ann and Ann.") == "Child 1 and Child 2."


def test_the_household_keeps_its_pseudonym_when_a_member_of_staff_shares_a_name():
    a = Anonymiser(start=date(2024, 3, 4))
    a.add_person("Parent A", "Sarah Jones", "Sarah")
    a.add_person("Caseworker 1", "Sarah Hughes", "Sarah")
    assert a.scrub("Sarah Hughes called Sarah.") == "Caseworker 1 called Parent A."


@pytest.mark.parametrize("reference", ["HX49RT", "AB2C3D", "K7Q2MZ"])
def test_a_case_reference_is_removed_even_when_it_looks_like_a_postcode(reference):
    a = Anonymiser(start=date(2024, 3, 4))
    a.add_reference(reference, "[reference removed]")
    assert a.scrub(f"Case {reference.lower()} and {reference}.") == (
        "Case [reference removed] and [reference removed]."
    )


def test_sections_of_a_plan_and_school_years_are_not_highlighted():
    assert checks_in("Section F and section B of the plan; she is in Year 6.") == 0
    assert [part.text for part in highlight("Ask F. Smith in Year 6.") if part.check] == ["F", "Smith"]
