#include "fcgi_client.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace cabinet;

namespace {

std::string socket_path() {
    static int n = 0;
    return "/tmp/cabinet-fcgi-test-" + std::to_string(getpid()) + "-" + std::to_string(++n) + ".sock";
}

// A real libfcgi responder on a unix socket that answers one request with
// 201, echoing DOCUMENT_URI and the length of the LONG parameter.
struct Responder {
    std::string path = socket_path();
    std::thread thread;

    Responder() {
        FCGX_Init();
        int fd = FCGX_OpenSocket(path.c_str(), 5);
        BOOST_REQUIRE(fd >= 0);
        thread = std::thread([fd] {
            FCGX_Request req;
            FCGX_InitRequest(&req, fd, 0);
            if (FCGX_Accept_r(&req) == 0) {
                const char* uri = FCGX_GetParam("DOCUMENT_URI", req.envp);
                const char* lng = FCGX_GetParam("LONG", req.envp);
                std::string out = "Status: 201 Created\r\nContent-Type: text/plain\r\n\r\n" +
                                  std::string(uri ? uri : "-") + " " + std::to_string(lng ? std::string(lng).size() : 0);
                FCGX_PutS(out.c_str(), req.out);
                FCGX_Finish_r(&req);
            }
            close(fd);
        });
    }
    ~Responder() {
        thread.join();
        unlink(path.c_str());
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fcgi_client)

BOOST_AUTO_TEST_CASE(answer_of_a_real_responder_is_read_with_its_status) {
    Responder r;
    std::string error;
    auto a = fcgi_request(r.path, {{"REQUEST_METHOD", "GET"}, {"DOCUMENT_URI", "/_cabinet/ping"}}, 1000, &error);
    BOOST_REQUIRE_MESSAGE(a, error);
    BOOST_TEST(a->status == 201);
    BOOST_TEST(a->headers.find("Content-Type: text/plain") != std::string::npos);
    BOOST_TEST(a->body == "/_cabinet/ping 0");
}

BOOST_AUTO_TEST_CASE(parameters_longer_than_127_bytes_arrive_whole) {
    Responder r;
    std::string error;
    auto a = fcgi_request(r.path, {{"DOCUMENT_URI", "/x"}, {"LONG", std::string(70000, 'a')}}, 2000, &error);
    BOOST_REQUIRE_MESSAGE(a, error);
    BOOST_TEST(a->body == "/x 70000");
}

BOOST_AUTO_TEST_CASE(missing_socket_is_an_error_not_an_answer) {
    std::string error;
    auto a = fcgi_request("/nonexistent/cabinet.sock", {{"DOCUMENT_URI", "/"}}, 500, &error);
    BOOST_TEST(!a);
    BOOST_TEST(error.find("connect") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(responder_that_never_answers_times_out_at_the_deadline) {
    // A listening socket nobody accepts on: the connection is queued, no answer comes.
    std::string path = socket_path();
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd, 5) == 0);
    auto start = std::chrono::steady_clock::now();
    std::string error;
    auto a = fcgi_request(path, {{"DOCUMENT_URI", "/"}}, 300, &error);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(!a);
    BOOST_TEST(error == "no answer in time");
    BOOST_TEST(ms >= 250);
    BOOST_TEST(ms < 800);
    close(fd);
    unlink(path.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
