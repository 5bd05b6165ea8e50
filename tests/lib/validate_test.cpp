// lib/validate.cpp: the pure validators of request values, each with
// accepted, normalized and rejected inputs (exact message, field and value).
#include "validate.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

using namespace cabinet;

namespace {

// The error f throws (fails the test when it throws none).
Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted a value the validator must reject");
    return Error();
}

// Asserts a VALIDATION_ERROR with exactly this message, field and value (nullopt: no value).
void expect_rejection(const Error& e, const std::string& message, const std::string& field,
                      const std::optional<std::string>& value) {
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.code == "VALIDATION_ERROR");
    BOOST_TEST(e.message == message);
    BOOST_TEST(e.field == field);
    BOOST_TEST(e.value.has_value() == value.has_value());
    if (e.value && value) BOOST_TEST(*e.value == *value);
}

const int64_t kNow = 1796120130123;  // 2026-12-01T10:15:30.123Z

}  // namespace

BOOST_AUTO_TEST_SUITE(validate)

BOOST_AUTO_TEST_CASE(name_is_trimmed_of_blanks_and_kept_within_its_route_limit) {
    BOOST_TEST(valid::name("  Ops\t", "name", 128) == "Ops");
    BOOST_TEST(valid::name(std::string(128, 'a'), "name", 128) == std::string(128, 'a'));
    BOOST_TEST(valid::name(" " + std::string(200, 'b') + " ", "name", 200) == std::string(200, 'b'));
    BOOST_TEST(valid::name("Zoë", "first_name", 128) == "Zoë");
}

BOOST_AUTO_TEST_CASE(name_that_is_empty_or_too_long_answers_its_limit_with_the_raw_value) {
    expect_rejection(error_of([] { valid::name(" \t ", "name", 128); }), "Must be 1 to 128 characters", "name", " \t ");
    expect_rejection(error_of([] { valid::name("", "name", 200); }), "Must be 1 to 200 characters", "name", "");
    std::string long_name(129, 'a');
    expect_rejection(error_of([&] { valid::name(long_name, "name", 128); }), "Must be 1 to 128 characters", "name",
                     long_name);
    std::string longer(201, 'a');
    expect_rejection(error_of([&] { valid::name(longer, "name", 200); }), "Must be 1 to 200 characters", "name", longer);
}

BOOST_AUTO_TEST_CASE(name_with_a_control_character_is_rejected) {
    for (std::string bad : {std::string("a\nb"), std::string("a\x7f"), std::string("a\0b", 3), std::string("\x1b[1m")})
        expect_rejection(error_of([&] { valid::name(bad, "last_name", 128); }), "Must not contain control characters",
                         "last_name", bad);
}

BOOST_AUTO_TEST_CASE(text_is_kept_as_given_up_to_its_maximum) {
    BOOST_TEST(valid::text("", "description", 1024) == "");
    BOOST_TEST(valid::text(" x ", "description", 1024) == " x ");
    BOOST_TEST(valid::text(std::string(1024, 'd'), "description", 1024).size() == 1024u);
    expect_rejection(error_of([] { valid::text(std::string(1025, 'd'), "description", 1024); }),
                     "Must be at most 1024 characters", "description", std::nullopt);
}

BOOST_AUTO_TEST_CASE(bounded_value_needs_one_to_max_bytes_and_names_no_value) {
    BOOST_TEST(valid::bounded("cab_x", "api_key", 128) == "cab_x");
    expect_rejection(error_of([] { valid::bounded("", "api_key", 128); }), "Must be 1 to 128 characters", "api_key",
                     std::nullopt);
    expect_rejection(error_of([] { valid::bounded(std::string(1025, 'p'), "password", 1024, "bytes"); }),
                     "Must be 1 to 1024 bytes", "password", std::nullopt);
}

BOOST_AUTO_TEST_CASE(uuid_is_lower_cased) {
    BOOST_TEST(valid::uuid("0F8FAD5B-D9CB-469F-A165-70867728950E", "userId") == "0f8fad5b-d9cb-469f-a165-70867728950e");
    BOOST_TEST(valid::uuid("0f8fad5b-d9cb-469f-a165-70867728950e", "userId") == "0f8fad5b-d9cb-469f-a165-70867728950e");
}

BOOST_AUTO_TEST_CASE(malformed_uuid_is_rejected_with_its_value) {
    for (const char* bad : {"", "0f8fad5b", "0f8fad5bd9cb469fa16570867728950e", "0f8fad5b-d9cb-469f-a165-70867728950g",
                            "{0f8fad5b-d9cb-469f-a165-70867728950e}", " 0f8fad5b-d9cb-469f-a165-70867728950e"})
        expect_rejection(error_of([&] { valid::uuid(bad, "userIds.2"); }), "Must be a UUID", "userIds.2", bad);
}

BOOST_AUTO_TEST_CASE(one_of_accepts_only_the_listed_values_with_the_routes_message) {
    BOOST_TEST(valid::one_of("group", "subjectType", {"user", "group"}, "Unknown value") == "group");
    expect_rejection(error_of([] { valid::one_of("Group", "subjectType", {"user", "group"}, "Unknown value"); }),
                     "Unknown value", "subjectType", "Group");
}

BOOST_AUTO_TEST_CASE(scope_must_be_in_the_catalogue) {
    BOOST_TEST(valid::scope("read:groups", "permissions.0") == "read:groups");
    expect_rejection(error_of([] { valid::scope("read:everything", "permissions.1"); }), "Unknown scope",
                     "permissions.1", "read:everything");
}

BOOST_AUTO_TEST_CASE(role_must_be_admin_user_or_auditor) {
    for (const char* r : {"admin", "user", "auditor"}) BOOST_TEST(valid::role(r, "role") == r);
    expect_rejection(error_of([] { valid::role("root", "role"); }), "Must be one of admin, user, auditor", "role", "root");
    expect_rejection(error_of([] { valid::role("Admin", "id.role", "Unknown value"); }), "Unknown value", "id.role",
                     "Admin");
}

BOOST_AUTO_TEST_CASE(well_formed_emails_are_accepted_as_given) {
    for (const char* ok : {"a@b.co", "first.last+tag@example.com", "o'neil@sub-domain.example.org", "X@Y.ZZ"})
        BOOST_TEST(valid::email(ok) == ok);
}

BOOST_AUTO_TEST_CASE(malformed_emails_are_rejected_with_their_value) {
    std::string long_local = std::string(65, 'a') + "@example.com";
    std::string long_total = "a@" + std::string(250, 'b') + ".com";
    for (std::string bad : {std::string("invalid-email"), std::string("@example.com"), std::string("a@@example.com"),
                            std::string("a@example"), std::string("a@.example.com"), std::string("a@example."),
                            std::string(".a@example.com"), std::string("a..b@example.com"),
                            std::string("a b@example.com"), std::string("a@exa_mple.com"),
                            std::string("a@-example.com"), std::string("a@example.com-"), std::string("a@b..com"),
                            long_local, long_total, std::string("ü@example.com")})
        expect_rejection(error_of([&] { valid::email(bad, "notification_email"); }), "Invalid email format",
                         "notification_email", bad);
}

BOOST_AUTO_TEST_CASE(password_of_12_to_256_characters_other_than_the_email_is_accepted) {
    valid::password("correct horse", "a@b.co");
    valid::password(std::string(12, 'x'), "a@b.co");
    valid::password(std::string(256, 'y'), "a@b.co");
    valid::password("пароль-пароль", "a@b.co");  // 13 characters, 25 bytes
}

BOOST_AUTO_TEST_CASE(password_too_short_or_too_long_in_characters_is_rejected_without_its_value) {
    expect_rejection(error_of([] { valid::password("short", "a@b.co"); }), "Password must be 12 to 256 characters",
                     "password", std::nullopt);
    expect_rejection(error_of([] { valid::password("пароль", "a@b.co"); }),  // 12 bytes, 6 characters
                     "Password must be 12 to 256 characters", "password", std::nullopt);
    expect_rejection(error_of([] { valid::password(std::string(257, 'x'), "a@b.co", "--admin-password"); }),
                     "Password must be 12 to 256 characters", "--admin-password", std::nullopt);
}

BOOST_AUTO_TEST_CASE(password_equal_to_the_email_in_any_case_is_rejected) {
    expect_rejection(error_of([] { valid::password("Alice@Example.com", "alice@example.COM"); }),
                     "Password must not equal the email", "password", std::nullopt);
}

BOOST_AUTO_TEST_CASE(phone_numbers_and_the_empty_clearing_value_are_accepted) {
    for (const char* ok : {"", "+7 (495) 123-45-67", "112", "8-800-555-35-35"}) BOOST_TEST(valid::phone(ok, "phone") == ok);
}

BOOST_AUTO_TEST_CASE(malformed_phone_numbers_are_rejected_with_their_value) {
    for (std::string bad : {std::string("12"), std::string("+"), std::string("7+123"), std::string("call me"),
                            std::string("123456789012345678901234567890123"), std::string("1-2")})
        expect_rejection(error_of([&] { valid::phone(bad, "notification_phone"); }), "Invalid phone number",
                         "notification_phone", bad);
}

BOOST_AUTO_TEST_CASE(rfc3339_date_time_is_returned_as_postgres_reads_it) {
    BOOST_TEST(valid::rfc3339("2026-11-23t10:15:30z", "from_date") == "2026-11-23T10:15:30Z");
    BOOST_TEST(valid::rfc3339("2026-11-23T10:15:30 03:00", "to_date", true) == "2026-11-23T10:15:30+03:00");
    expect_rejection(error_of([] { valid::rfc3339("2026-11-23T10:15:30 03:00", "expiresAt"); }),
                     "Must be an RFC 3339 date-time", "expiresAt", "2026-11-23T10:15:30 03:00");
    expect_rejection(error_of([] { valid::rfc3339("yesterday", "from_date", true); }), "Must be an RFC 3339 date-time",
                     "from_date", "yesterday");
}

BOOST_AUTO_TEST_CASE(rfc3339_epoch_counts_offsets_leap_days_and_truncates_to_milliseconds) {
    BOOST_TEST(*valid::rfc3339_epoch_ms("1970-01-01T00:00:00Z") == 0);
    BOOST_TEST(*valid::rfc3339_epoch_ms("1970-01-01T03:00:00+03:00") == 0);
    BOOST_TEST(*valid::rfc3339_epoch_ms("1969-12-31T23:59:59.9991Z") == -1);
    BOOST_TEST(*valid::rfc3339_epoch_ms("2026-12-01T10:15:30.123987Z") == kNow);
    BOOST_TEST(*valid::rfc3339_epoch_ms("2024-02-29T12:00:00-00:30") == 1709209800000);
    BOOST_TEST(*valid::rfc3339_epoch_ms("2026-12-31T23:59:60Z") == *valid::rfc3339_epoch_ms("2027-01-01T00:00:00Z"));
    BOOST_TEST(!valid::rfc3339_epoch_ms("2026-02-29T00:00:00Z").has_value());
}

BOOST_AUTO_TEST_CASE(rfc3339_utc_text_has_milliseconds_and_z) {
    BOOST_TEST(valid::rfc3339_utc_ms(0) == "1970-01-01T00:00:00.000Z");
    BOOST_TEST(valid::rfc3339_utc_ms(kNow) == "2026-12-01T10:15:30.123Z");
    BOOST_TEST(valid::rfc3339_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
    BOOST_TEST(valid::rfc3339_utc_ms(951782400000) == "2000-02-29T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(future_date_time_is_normalized_to_utc_milliseconds) {
    BOOST_TEST(valid::future_rfc3339("2026-12-01T13:15:30.124+03:00", "expiresAt", kNow) == "2026-12-01T10:15:30.124Z");
    BOOST_TEST(valid::future_rfc3339("2099-01-01T00:00:00Z", "expiresAt", kNow) == "2099-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(date_time_not_after_the_injected_clock_is_rejected) {
    expect_rejection(error_of([] { valid::future_rfc3339("2026-12-01T10:15:30.123Z", "expiresAt", kNow); }),
                     "Must be in the future", "expiresAt", "2026-12-01T10:15:30.123Z");
    // Within the same millisecond as now: truncated, it is now.
    expect_rejection(error_of([] { valid::future_rfc3339("2026-12-01T10:15:30.1239Z", "expiresAt", kNow); }),
                     "Must be in the future", "expiresAt", "2026-12-01T10:15:30.1239Z");
    expect_rejection(error_of([] { valid::future_rfc3339("2020-01-01T00:00:00Z", "expiresAt", kNow); }),
                     "Must be in the future", "expiresAt", "2020-01-01T00:00:00Z");
    expect_rejection(error_of([] { valid::future_rfc3339("tomorrow", "expiresAt", kNow); }),
                     "Must be an RFC 3339 date-time", "expiresAt", "tomorrow");
}

BOOST_AUTO_TEST_CASE(known_iana_zones_are_accepted) {
    for (const char* tz : {"UTC", "Europe/Moscow", "America/Argentina/Buenos_Aires", "Etc/GMT+3", "Etc/GMT-14",
                           "US/Pacific", "America/Port-au-Prince"})
        BOOST_TEST(valid::iana_zone(tz, "settings.timezone") == tz);
}

BOOST_AUTO_TEST_CASE(unknown_or_unsafe_zone_names_are_rejected_without_io) {
    for (const char* bad : {"Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "Europe/../UTC", "Europe",
                            "posix/UTC", "right/UTC", "zone.tab", "tzdata.zi", "localtime", "posixrules", "Factory",
                            "", "Europe/Moscow ", "utc", "Europe//Moscow", "Europe/Moscow/"})
        expect_rejection(error_of([&] { valid::iana_zone(bad, "settings.timezone"); }), "Unknown IANA time zone",
                         "settings.timezone", bad);
}

BOOST_AUTO_TEST_CASE(language_tags_are_returned_in_canonical_case) {
    BOOST_TEST(valid::language("en", "settings.language") == "en");
    BOOST_TEST(valid::language("EN-us", "settings.language") == "en-US");
    BOOST_TEST(valid::language("zh-hant-tw", "settings.language") == "zh-Hant-TW");
    BOOST_TEST(valid::language("es-419", "settings.language") == "es-419");
    BOOST_TEST(valid::language("sr-LATN", "settings.language") == "sr-Latn");
}

BOOST_AUTO_TEST_CASE(malformed_language_tags_are_rejected_with_their_value) {
    for (const char* bad : {"english", "en_US", "e", "en-", "-en", "en-USA", "en-Latn-US-x", "en-U1", "1234",
                            "en-Latn-Cyrl", "", "en US", "x-klingon"})
        expect_rejection(error_of([&] { valid::language(bad, "settings.language"); }),
                         "Must be a BCP 47 language tag such as en or en-US", "settings.language", bad);
}

BOOST_AUTO_TEST_CASE(region_and_cloud_provider_accept_their_documented_forms) {
    BOOST_TEST(valid::region("us-east-1", "r") == "us-east-1");
    BOOST_TEST(valid::region("9z", "r") == "9z");
    for (const char* bad : {"", "-us", "US-EAST-1", "us_east", "us east"})
        expect_rejection(error_of([&] { valid::region(bad, "privateEndpoints.add.0.region"); }),
                         "Must be a region name such as us-east-1", "privateEndpoints.add.0.region", bad);
    expect_rejection(error_of([&] { valid::region(std::string(65, 'a'), "r"); }),
                     "Must be a region name such as us-east-1", "r", std::string(65, 'a'));
    for (const char* ok : {"aws", "gcp", "azure"}) BOOST_TEST(valid::cloud_provider(ok, "p") == ok);
    expect_rejection(error_of([] { valid::cloud_provider("AWS", "p"); }), "Must be one of aws, gcp, azure", "p", "AWS");
}

BOOST_AUTO_TEST_CASE(token_has_no_spaces_or_control_characters) {
    BOOST_TEST(valid::token("vpce-123", "id", 256) == "vpce-123");
    expect_rejection(error_of([] { valid::token("", "id", 256); }), "Must be 1 to 256 characters", "id", "");
    expect_rejection(error_of([] { valid::token("a b", "id", 256); }), "Must not contain spaces or control characters",
                     "id", "a b");
    expect_rejection(error_of([] { valid::token("a\x7f", "id", 256); }),
                     "Must not contain spaces or control characters", "id", "a\x7f");
}

BOOST_AUTO_TEST_CASE(limit_and_offset_are_bounded_integers) {
    BOOST_TEST(valid::limit("1", "limit", 1000) == 1);
    BOOST_TEST(valid::limit("1000", "limit", 1000) == 1000);
    BOOST_TEST(valid::limit("10000", "limit", 10000) == 10000);
    for (const char* bad : {"0", "1001", "-1", "", "1e3", " 5", "999999999999999999999"})
        expect_rejection(error_of([&] { valid::limit(bad, "limit", 1000); }), "Must be an integer from 1 to 1000",
                         "limit", bad);
    BOOST_TEST(valid::offset("0", "offset") == 0);
    BOOST_TEST(valid::offset("123456789012345678", "offset") == 123456789012345678LL);
    for (const char* bad : {"-1", "", "x", "1234567890123456789"})
        expect_rejection(error_of([&] { valid::offset(bad, "offset"); }), "Must be a non-negative integer", "offset", bad);
}

BOOST_AUTO_TEST_CASE(sort_key_must_be_whitelisted) {
    BOOST_TEST(valid::sort_key("-name", "sort", {"name", "-name"}) == "-name");
    expect_rejection(error_of([] { valid::sort_key("name; DROP TABLE users", "sort", {"name"}); }), "Unknown sort field",
                     "sort", "name; DROP TABLE users");
}

BOOST_AUTO_TEST_CASE(search_is_at_most_200_bytes) {
    BOOST_TEST(valid::search(std::string(200, 's'), "search").size() == 200u);
    expect_rejection(error_of([] { valid::search(std::string(201, 's'), "search"); }), "Must be at most 200 characters",
                     "search", std::nullopt);
}

BOOST_AUTO_TEST_CASE(a_string_holding_u0000_is_rejected) {
    valid::no_nul("plain", "description");
    expect_rejection(error_of([] { valid::no_nul(std::string("a\0b", 3), "description"); }), "Must not contain U+0000",
                     "description", std::nullopt);
}

BOOST_AUTO_TEST_CASE(distinct_keeps_the_first_of_each_in_order) {
    BOOST_TEST((valid::distinct({"b", "a", "b", "c", "a"}) == std::vector<std::string>{"b", "a", "c"}));
}

BOOST_AUTO_TEST_CASE(declared_checks_that_read_empty_as_absent_return_nullopt) {
    BOOST_TEST(!check::uuid_or_empty()("", "resourceId").has_value());
    BOOST_TEST(*check::uuid_or_empty()("0F8FAD5B-D9CB-469F-A165-70867728950E", "resourceId") ==
               "0f8fad5b-d9cb-469f-a165-70867728950e");
    BOOST_TEST(!check::search()("", "search").has_value());
    BOOST_TEST(!check::role_or_empty("Unknown value")("", "role").has_value());
    expect_rejection(error_of([] { check::role_or_empty("Unknown value")("boss", "role"); }), "Unknown value", "role",
                     "boss");
    BOOST_TEST(*check::email_or_empty()("", "notification_email") == "");
    BOOST_TEST(*check::limit(1000)("7", "limit") == "7");
}

BOOST_AUTO_TEST_SUITE_END()
