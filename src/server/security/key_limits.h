// KeyLimits: the per-key limits an API key carries (rpm, tpm, concurrency,
// token budget). Stored with the key in the KeyStore and handed to a Limiter
// on every request. A zero field means "no limit of this kind". Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::security {

// The calendar window a token budget covers, in UTC: a day runs from 00:00:00
// to the next midnight, a month from the 1st at 00:00:00 to the next 1st.
enum class BudgetPeriod { kNone, kDay, kMonth };

// "day", "month", or "" for kNone.
const char* BudgetPeriodName(BudgetPeriod period);
// Accepts "day" and "month"; nullopt for anything else.
std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name);

struct KeyLimits {
  int64_t rpm = 0;             // requests per minute
  int64_t tpm = 0;             // tokens (prompt + completion) per minute
  int64_t max_concurrent = 0;  // requests in flight at once
  int64_t budget_tokens = 0;   // tokens per budget_period; needs a period when > 0
  BudgetPeriod budget_period = BudgetPeriod::kNone;

  bool operator==(const KeyLimits&) const = default;
};

}  // namespace sluice::security
