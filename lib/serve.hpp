// A handler's main: the accept loop and its threads, signals and draining.
// FastCGI when a manager hands over a listening socket on fd 0 (spawn-fcgi,
// multiwatch, systemd, mod_fcgid); plain CGI when started from a shell;
// `--routes` prints the route table and exits.
#pragma once

#include "router.hpp"

namespace cabinet {

// Serves requests until SIGTERM (finishing those in progress); returns the exit code.
int serve(const Service& svc, int argc, char** argv);

}  // namespace cabinet
