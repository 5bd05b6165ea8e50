// lib/timestamp.cpp: RFC 3339 date-times of requests (expiresAt, from_date, to_date).
#include "timestamp.hpp"

#include <boost/test/unit_test.hpp>

using namespace cabinet;

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(full_date_times_are_accepted_and_normalised) {
    BOOST_TEST(*parse_rfc3339("2026-11-23T10:15:30Z") == "2026-11-23T10:15:30Z");
    BOOST_TEST(*parse_rfc3339("2026-11-23T10:15:30.123Z") == "2026-11-23T10:15:30.123Z");
    BOOST_TEST(*parse_rfc3339("2026-11-23T10:15:30.123456789+03:00") == "2026-11-23T10:15:30.123456789+03:00");
    BOOST_TEST(*parse_rfc3339("2026-11-23t10:15:30z") == "2026-11-23T10:15:30Z");
    BOOST_TEST(*parse_rfc3339("2024-02-29T00:00:00-12:30") == "2024-02-29T00:00:00-12:30");
    BOOST_TEST(*parse_rfc3339("2000-02-29T23:59:60Z") == "2000-02-29T23:59:60Z");
}

BOOST_AUTO_TEST_CASE(malformed_or_impossible_values_are_rejected) {
    for (const char* bad : {"", "yesterday", "2026-11-23", "2026-11-23T10:15:30", "2026-11-23 10:15:30Z",
                            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z",
                            "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "0000-01-01T00:00:00Z",
                            "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z",
                            "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00+0300",
                            "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+03:60", "2026-01-01T00:00:00ZZ",
                            "2026-01-01T00:00:00 03:00", "+2026-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
                            "２026-01-01T00:00:00Z"})
        BOOST_TEST(!parse_rfc3339(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(a_query_reads_a_space_before_the_offset_as_plus) {
    BOOST_TEST(*parse_rfc3339("2026-01-01T00:00:00 03:00", true) == "2026-01-01T00:00:00+03:00");
    BOOST_TEST(!parse_rfc3339("2026-01-01 00:00:00Z", true).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
