// lib/offset_page.cpp: the limit/offset/sort/search parameters of 2GC lists.
#include "offset_page.hpp"

#include <boost/test/unit_test.hpp>

using namespace cabinet;

namespace {

const std::vector<std::string> kSorts = {"createdAt", "-createdAt", "name", "-name"};

Error page_error(const std::vector<std::pair<std::string, std::string>>& query) {
    try {
        parse_offset_page(query, kSorts);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted a query the list must reject");
    return Error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offset_page)

BOOST_AUTO_TEST_CASE(no_parameters_give_the_documented_defaults) {
    OffsetPage p = parse_offset_page({}, kSorts);
    BOOST_TEST(p.limit == 50);
    BOOST_TEST(p.offset == 0);
    BOOST_TEST(p.sort == "createdAt");
    BOOST_TEST(!p.search.has_value());
}

BOOST_AUTO_TEST_CASE(given_parameters_are_read) {
    OffsetPage p = parse_offset_page({{"limit", "1000"}, {"offset", "20"}, {"sort", "-name"}, {"search", "o_k"}}, kSorts);
    BOOST_TEST(p.limit == 1000);
    BOOST_TEST(p.offset == 20);
    BOOST_TEST(p.sort == "-name");
    BOOST_TEST(*p.search == "o_k");
}

BOOST_AUTO_TEST_CASE(empty_search_is_no_search) { BOOST_TEST(!parse_offset_page({{"search", ""}}, kSorts).search); }

BOOST_AUTO_TEST_CASE(bad_parameters_answer_400_on_their_name) {
    Error e = page_error({{"limit", "1001"}});
    BOOST_TEST(e.message == "Must be an integer from 1 to 1000");
    BOOST_TEST(e.field == "limit");
    e = page_error({{"offset", "-1"}});
    BOOST_TEST(e.message == "Must be a non-negative integer");
    BOOST_TEST(e.field == "offset");
    e = page_error({{"sort", "email"}});
    BOOST_TEST(e.message == "Unknown sort field");
    BOOST_TEST(*e.value == "email");
    e = page_error({{"search", std::string(201, 's')}});
    BOOST_TEST(e.message == "Must be at most 200 characters");
    BOOST_TEST(e.field == "search");
}

BOOST_AUTO_TEST_CASE(limit_is_checked_before_the_others) {
    BOOST_TEST(page_error({{"sort", "email"}, {"offset", "x"}, {"limit", "0"}}).field == "limit");
    BOOST_TEST(page_error({{"sort", "email"}, {"offset", "x"}}).field == "offset");
}

BOOST_AUTO_TEST_SUITE_END()
