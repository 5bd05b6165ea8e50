#include "metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

using namespace cabinet;

namespace {

std::string temp_file() {
    static int n = 0;
    return "/tmp/cabinet-metrics-test-" + std::to_string(getpid()) + "-" + std::to_string(++n);
}

// Runs body in a child process (as a handler process would) and waits for it.
template <typename Body>
void in_child(Body body) {
    pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

const std::string kGroup = R"(handler="groups",route="/api/v1/groups/{id}")";

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_file)

BOOST_AUTO_TEST_CASE(counts_of_two_processes_sum_in_one_file) {
    auto file = temp_file();
    pid_t children[2];
    for (pid_t& c : children) {
        c = fork();
        BOOST_REQUIRE(c >= 0);
        if (c == 0) {
            metrics::open(file, "groups");
            for (int i = 0; i < 5000; ++i) metrics::request("GET", "/api/v1/groups/{id}", 200, 0.003);
            metrics::authz_retry();
            _exit(0);
        }
    }
    for (pid_t c : children) waitpid(c, nullptr, 0);
    auto text = metrics::render(file);
    BOOST_TEST(has_line(text, R"(cabinet_http_requests_total{handler="groups",method="GET",route="/api/v1/groups/{id}",status="200"} 10000)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_count{" + kGroup + "} 10000"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_sum{" + kGroup + "} 30.000000"));
    BOOST_TEST(has_line(text, R"(cabinet_authz_retries_total{handler="groups"} 2)"));
    BOOST_TEST(has_line(text, R"(cabinet_handler_starts_total{handler="groups"} 2)"));
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(counters_survive_a_restart_of_the_process) {
    auto file = temp_file();
    in_child([&] {
        metrics::open(file, "users");
        metrics::request("POST", "/api/users", 201, 0.02);
    });
    in_child([&] {
        metrics::open(file, "users");
        metrics::request("POST", "/api/users", 201, 0.02);
    });
    auto text = metrics::render(file);
    BOOST_TEST(has_line(text, R"(cabinet_http_requests_total{handler="users",method="POST",route="/api/users",status="201"} 2)"));
    BOOST_TEST(has_line(text, R"(cabinet_handler_starts_total{handler="users"} 2)"));
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(gauges_of_a_live_process_are_rendered_and_of_a_dead_one_are_not) {
    auto file = temp_file();
    int ready[2], done[2];
    BOOST_REQUIRE(pipe(ready) == 0 && pipe(done) == 0);
    pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        close(done[1]);
        metrics::open(file, "auth");
        metrics::db_connections(3, 1);
        char c = 1;
        if (write(ready[1], &c, 1) != 1) _exit(1);
        if (read(done[0], &c, 1) < 0) _exit(1);  // until the parent closes it
        _exit(0);
    }
    close(done[0]);
    char c;
    BOOST_REQUIRE(read(ready[0], &c, 1) == 1);
    auto alive = metrics::render(file);
    BOOST_TEST(has_line(alive, R"(cabinet_db_connections{handler="auth",state="busy"} 3)"));
    BOOST_TEST(has_line(alive, R"(cabinet_db_connections{handler="auth",state="idle"} 1)"));
    close(done[1]);
    waitpid(pid, nullptr, 0);
    auto dead = metrics::render(file);
    BOOST_TEST(dead.find("cabinet_db_connections{") == std::string::npos);
    BOOST_TEST(has_line(dead, R"(cabinet_handler_starts_total{handler="auth"} 1)"));
    close(ready[0]);
    close(ready[1]);
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(render_has_help_and_type_for_every_family_and_cumulative_buckets) {
    auto file = temp_file();
    in_child([&] {
        metrics::open(file, "groups");
        metrics::request("GET", "/api/v1/groups/{id}", 200, 0.003);  // first bucket
        metrics::request("GET", "/api/v1/groups/{id}", 404, 0.2);    // le 0.25
        metrics::request("GET", "/api/v1/groups/{id}", 200, 30);     // only +Inf
        metrics::quota_rejected("hour");
    });
    auto text = metrics::render(file);
    for (const char* f : {"cabinet_http_requests_total counter", "cabinet_http_request_duration_seconds histogram",
                          "cabinet_db_connections gauge", "cabinet_authz_retries_total counter",
                          "cabinet_quota_rejections_total counter", "cabinet_handler_starts_total counter"}) {
        std::string name(f, std::string(f).find(' '));
        BOOST_TEST(has_line(text, std::string("# TYPE ") + f), f);
        BOOST_TEST(text.find("# HELP " + name + " ") != std::string::npos, name);
    }
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_bucket{" + kGroup + R"(,le="0.005"} 1)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_bucket{" + kGroup + R"(,le="0.1"} 1)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_bucket{" + kGroup + R"(,le="0.25"} 2)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_bucket{" + kGroup + R"(,le="10"} 2)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_bucket{" + kGroup + R"(,le="+Inf"} 3)"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_count{" + kGroup + "} 3"));
    BOOST_TEST(has_line(text, "cabinet_http_request_duration_seconds_sum{" + kGroup + "} 30.203000"));
    BOOST_TEST(has_line(text, R"(cabinet_quota_rejections_total{window="hour"} 1)"));
    BOOST_TEST(has_line(text, R"(cabinet_quota_rejections_total{window="minute"} 0)"));
    BOOST_TEST(text.back() == '\n');
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped_and_unknown_methods_are_other) {
    auto file = temp_file();
    in_child([&] {
        metrics::open(file, "groups");
        metrics::request("BREW", "a\"b\\c\nd", 405, 0.001);
    });
    auto text = metrics::render(file);
    BOOST_TEST(has_line(text, R"(cabinet_http_requests_total{handler="groups",method="other",route="a\"b\\c\nd",status="405"} 1)"));
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(a_file_of_another_layout_is_refused) {
    auto file = temp_file();
    FILE* f = std::fopen(file.c_str(), "w");
    std::fputs("not a metrics file", f);
    std::fclose(f);
    BOOST_CHECK_THROW(metrics::render(file), std::runtime_error);
    in_child([&] {
        try {
            metrics::open(file, "groups");
        } catch (const std::runtime_error&) {
            _exit(0);
        }
        _exit(1);
    });
    unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(a_missing_file_cannot_be_rendered) {
    BOOST_CHECK_THROW(metrics::render("/nonexistent/cabinet-metrics"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
