// Authentication and admission: who may call which model, and whether the
// limits let them in right now. Built once at start-up from the Config.
//
// Per model call, the handlers do:
//   Dispatch: AuthenticateRequest → 401 (request.key filled in)
//   handler:  AdmitCall(...)      → 403 model not allowed / 429 limit / 503 shed;
//             the rate-limit headers go on every response either way;
//             the returned AdmittedCall holds the concurrency slot until it
//             is destroyed and reconciles the token estimate with usage.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "server/config.h"
#include "api/types.h"
#include "server/exchange.h"
#include "server/metrics.h"
#include "server/security/key_store.h"
#include "server/security/limiter.h"

namespace sluice::server {

struct Security {
  std::unique_ptr<security::KeyStore> store;  // null: no key database
  bool keys_required = false;                 // the store holds keys
  std::unique_ptr<security::Limiter> limiter;
  std::string master_key;                     // "" = admin API disabled
  int64_t max_tokens_cap = 0;
};

// Opens the key store (when its file exists, or the admin API needs it),
// builds the in-process or Redis limiter, and applies the safe default:
// without keys the gateway serves only on loopback unless
// allow_unauthenticated is set (then it logs a warning).
StatusOr<std::unique_ptr<Security>> BuildSecurity(const Config& config);

// Checks `Authorization: Bearer KEY` or `x-api-key: KEY`. Open mode (no
// keys): always OK and `key` stays empty. Errors are kUnauthenticated.
Status AuthenticateRequest(const Security& security, const Request& request,
                           std::optional<security::KeyRecord>* key);

// An admitted model call. Destroying it releases its concurrency slot.
class AdmittedCall {
 public:
  AdmittedCall(AdmittedCall&& other) noexcept;
  AdmittedCall& operator=(AdmittedCall&&) = delete;
  ~AdmittedCall();

  // Tells the limiter how many tokens the call really used (prompt +
  // completion); called at most once, by the destructor if not before.
  void Reconcile(int64_t actual_tokens);

 private:
  friend StatusOr<AdmittedCall> AdmitCall(const Security&, const Request&, const std::string&,
                                          int64_t, ResponseWriter&, Metrics&);
  AdmittedCall() = default;

  security::Limiter* limiter_ = nullptr;
  std::string key_id_;
  security::KeyLimits limits_;
  int64_t estimated_tokens_ = 0;
  bool reconciled_ = true;
  security::Admission admission_;
};

// Model scope (403), then the limiter (429 / 503, counted in `metrics`).
// Adds the x-ratelimit-* (and Retry-After) headers to `out` whatever the outcome.
StatusOr<AdmittedCall> AdmitCall(const Security& security, const Request& request,
                                 const std::string& model, int64_t estimated_tokens,
                                 ResponseWriter& out, Metrics& metrics);

// Applies the global max_tokens cap: a larger request is kInvalidArgument;
// a request without max_tokens gets the cap.
Status ApplyMaxTokensCap(const Security& security, api::Sampling* sampling);

// Rough prompt size in tokens before a tokenizer is known: ~4 bytes a token.
int64_t EstimatePromptTokens(const std::vector<api::Message>& messages);

}  // namespace sluice::server
