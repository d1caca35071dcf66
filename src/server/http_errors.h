// The one place where error codes become HTTP statuses.
#pragma once

#include "base/status.h"

namespace sluice::server {

// 400 invalid argument, 404 not found, 413, 415, 422, 401, 403, 429,
// 502 upstream error / schema violation, 503 unavailable, 504 upstream timeout,
// 499 cancelled (logged only: the client is gone), 500 internal.
int HttpStatusFor(ErrorCode code);

}  // namespace sluice::server
