// The gateway process: listener, sessions, signal handling, graceful shutdown.
#pragma once

#include "server/config.h"

namespace sluice::server {

// Serves `config` until SIGTERM or SIGINT, then stops accepting, lets
// in-flight requests finish for up to config.shutdown_grace, and returns the
// process exit code (0 after a clean drain, 1 if it could not start).
// Logs {"msg":"listening","host":...,"port":...} once the socket is bound,
// with the real port when config.listen_port is 0.
int RunServer(const Config& config);

}  // namespace sluice::server
