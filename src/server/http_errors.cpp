#include "server/http_errors.h"

namespace sluice::server {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kUnprocessable: return 422;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kCancelled: return 499;
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kUpstreamError: return 502;
    case ErrorCode::kSchemaViolation: return 502;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kUpstreamTimeout: return 504;
  }
  return 500;
}

}  // namespace sluice::server
