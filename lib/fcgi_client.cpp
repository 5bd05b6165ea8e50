#include "fcgi_client.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <strings.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace cabinet {

namespace {

using Clock = std::chrono::steady_clock;

// Record types and the responder role of the FastCGI 1.0 specification.
enum : uint8_t { kBeginRequest = 1, kEndRequest = 3, kParams = 4, kStdin = 5, kStdout = 6 };
constexpr uint16_t kResponder = 1;
constexpr uint16_t kRequestId = 1;

void record(std::string& out, uint8_t type, std::string_view content) {
    const auto n = static_cast<uint16_t>(content.size());
    const char header[8] = {1, static_cast<char>(type), 0, static_cast<char>(kRequestId), static_cast<char>(n >> 8),
                            static_cast<char>(n & 0xff), 0, 0};
    out.append(header, 8);
    out.append(content);
}

void put_length(std::string& out, size_t n) {
    if (n < 128) {
        out += static_cast<char>(n);
    } else {
        out += static_cast<char>(((n >> 24) & 0x7f) | 0x80);
        out += static_cast<char>((n >> 16) & 0xff);
        out += static_cast<char>((n >> 8) & 0xff);
        out += static_cast<char>(n & 0xff);
    }
}

// The request's records: BEGIN_REQUEST, PARAMS (in records of at most 65535
// bytes), the empty PARAMS and the empty STDIN that end them.
std::string encode(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string out, pairs;
    const char begin[8] = {0, static_cast<char>(kResponder), 0, 0, 0, 0, 0, 0};
    record(out, kBeginRequest, std::string_view(begin, 8));
    for (const auto& [name, value] : params) {
        put_length(pairs, name.size());
        put_length(pairs, value.size());
        pairs += name;
        pairs += value;
    }
    for (size_t at = 0; at < pairs.size(); at += 65535) record(out, kParams, std::string_view(pairs).substr(at, 65535));
    record(out, kParams, {});
    record(out, kStdin, {});
    return out;
}

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int remaining_ms(Clock::time_point deadline) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return ms > 0 ? static_cast<int>(ms) : 0;
}

// Waits until fd is ready for EVENTS; false at the deadline.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        int left = remaining_ms(deadline);
        if (left == 0) return false;
        pollfd p{fd, events, 0};
        int r = poll(&p, 1, left);
        if (r > 0) return true;
        if (r == 0 || errno != EINTR) return false;
    }
}

bool fail(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return false;
}

// Connects within the deadline (a full backlog waits, up to it).
bool connect_unix(int fd, const std::string& path, Clock::time_point deadline, std::string* error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return fail(error, "socket path too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int left = remaining_ms(deadline);
    timeval tv{left / 1000, (left % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return fail(error, "connect " + path + ": " + std::strerror(errno));
    return fcntl(fd, F_SETFL, O_NONBLOCK) == 0 || fail(error, "fcntl");
}

bool send_all(int fd, const std::string& data, Clock::time_point deadline, std::string* error) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return fail(error, std::string("send: ") + std::strerror(errno));
        } else if (!wait_for(fd, POLLOUT, deadline)) {
            return fail(error, "timed out sending");
        }
    }
    return true;
}

// Reads records until END_REQUEST, keeping the STDOUT stream.
bool read_answer(int fd, std::string& out, Clock::time_point deadline, std::string* error) {
    std::string buf;
    char chunk[8192];
    for (;;) {
        while (buf.size() >= 8) {
            const auto* h = reinterpret_cast<const unsigned char*>(buf.data());
            if (h[0] != 1) return fail(error, "not a FastCGI answer");
            const size_t len = (size_t{h[4]} << 8) | h[5], total = 8 + len + h[6];
            if (buf.size() < total) break;
            if (h[1] == kStdout) out.append(buf, 8, len);
            if (h[1] == kEndRequest) return true;
            buf.erase(0, total);
        }
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            buf.append(chunk, static_cast<size_t>(n));
        } else if (n == 0) {
            return fail(error, "connection closed before the end of the answer");
        } else if (errno != EAGAIN && errno != EINTR) {
            return fail(error, std::string("recv: ") + std::strerror(errno));
        } else if (!wait_for(fd, POLLIN, deadline)) {
            return fail(error, "no answer in time");
        }
    }
}

// Splits CGI output into headers and body and reads its Status: header.
bool parse_cgi(const std::string& out, FcgiAnswer& a, std::string* error) {
    size_t end = out.find("\r\n\r\n"), skip = 4;
    if (end == std::string::npos) end = out.find("\n\n"), skip = 2;
    if (end == std::string::npos) return fail(error, "no end of the CGI headers");
    a.headers = out.substr(0, end);
    a.body = out.substr(end + skip);
    size_t at = 0;
    while (at <= a.headers.size()) {
        size_t eol = a.headers.find('\n', at);
        std::string line = a.headers.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
        if (strncasecmp(line.c_str(), "Status:", 7) == 0) a.status = std::atoi(line.c_str() + 7);
        if (eol == std::string::npos) break;
        at = eol + 1;
    }
    return a.status >= 100 && a.status <= 599 ? true : fail(error, "malformed Status header");
}

}  // namespace

std::optional<FcgiAnswer> fcgi_request(const std::string& socket_path,
                                       const std::vector<std::pair<std::string, std::string>>& params,
                                       int timeout_ms, std::string* error) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    Fd s{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) {
        fail(error, std::string("socket: ") + std::strerror(errno));
        return std::nullopt;
    }
    std::string out;
    FcgiAnswer a;
    if (!connect_unix(s.fd, socket_path, deadline, error) || !send_all(s.fd, encode(params), deadline, error) ||
        !read_answer(s.fd, out, deadline, error) || !parse_cgi(out, a, error))
        return std::nullopt;
    return a;
}

}  // namespace cabinet
