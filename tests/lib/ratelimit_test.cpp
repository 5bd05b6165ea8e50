#include "ratelimit.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

using namespace cabinet;

namespace {

QuotaSettings settings(int per_minute, int per_hour) {
    static int n = 0;
    QuotaSettings s;
    s.file = "/tmp/cabinet-quota-test-" + std::to_string(getpid()) + "-" + std::to_string(++n);
    s.per_minute = per_minute;
    s.per_hour = per_hour;
    return s;
}

constexpr int64_t kNow = 1795428000;  // a minute and hour boundary

}  // namespace

BOOST_AUTO_TEST_SUITE(ratelimit)

BOOST_AUTO_TEST_CASE(remaining_decreases_by_one_per_request) {
    auto s = settings(100, 1000);
    auto a = take_quota(s, "user:a", kNow);
    auto b = take_quota(s, "user:a", kNow + 1);
    BOOST_TEST(a.allowed);
    BOOST_TEST(a.limit == 100);
    BOOST_TEST(a.remaining == 99);
    BOOST_TEST(b.remaining == 98);
    BOOST_TEST(a.reset == kNow + 60);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_CASE(credentials_are_counted_separately) {
    auto s = settings(3, 1000);
    take_quota(s, "user:a", kNow);
    take_quota(s, "user:a", kNow);
    BOOST_TEST(take_quota(s, "user:b", kNow).remaining == 2);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_CASE(the_request_over_the_minute_quota_is_refused_and_not_counted) {
    auto s = settings(2, 1000);
    take_quota(s, "k", kNow);
    take_quota(s, "k", kNow);
    auto refused = take_quota(s, "k", kNow + 10);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.remaining == 0);
    BOOST_TEST(refused.retry_after == 50);
    auto next_minute = take_quota(s, "k", kNow + 60);
    BOOST_TEST(next_minute.allowed);
    BOOST_TEST(next_minute.remaining == 1);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_CASE(the_hour_window_names_the_headers_when_it_has_fewer_left) {
    auto s = settings(100, 3);
    auto v = take_quota(s, "k", kNow);
    BOOST_TEST(v.limit == 3);
    BOOST_TEST(v.remaining == 2);
    BOOST_TEST(v.reset == kNow + 3600);
    take_quota(s, "k", kNow + 61);
    take_quota(s, "k", kNow + 122);
    auto refused = take_quota(s, "k", kNow + 183);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.retry_after == 3600 - 183);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_CASE(shortened_windows_end_and_reset_at_multiples_of_their_length) {
    auto s = settings(2, 1000);
    s.minute_seconds = 4;
    s.hour_seconds = 3600;
    auto a = take_quota(s, "k", kNow + 1);
    BOOST_TEST(a.reset == kNow + 4);
    take_quota(s, "k", kNow + 2);
    auto refused = take_quota(s, "k", kNow + 3);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.retry_after == 1);
    auto next = take_quota(s, "k", kNow + 4);
    BOOST_TEST(next.allowed);
    BOOST_TEST(next.remaining == 1);
    BOOST_TEST(next.reset == kNow + 8);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_CASE(counts_are_shared_between_processes_and_survive_a_restart) {
    auto s = settings(1000, 10000);
    for (int child = 0; child < 4; ++child) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 50; ++i) take_quota(s, "shared", kNow);
            _exit(0);
        }
    }
    int status = 0;
    while (wait(&status) > 0) {}
    BOOST_TEST(take_quota(s, "shared", kNow).remaining == 1000 - 201);
    unlink(s.file.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
