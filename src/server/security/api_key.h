// API key format, generation and hashing.
//
// A key is "sk-sluice-" + 22 base62 characters drawn uniformly from
// RAND_bytes (about 131 bits) + a 6-character base62 checksum: the first 32
// bits of SHA-256 over the 22-character body. The checksum lets
// CheckKeyFormat reject a mistyped or truncated key (and most random strings)
// before any store lookup. Keys are stored only as SHA-256 hex digests: the
// key is high-entropy, so a slow password hash would buy nothing.
//
// Never log a plaintext key or its hash. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::security {

inline constexpr std::string_view kApiKeyPrefix = "sk-sluice-";
inline constexpr size_t kApiKeyBodyLength = 22;
inline constexpr size_t kApiKeyChecksumLength = 6;
inline constexpr size_t kApiKeyLength =
    kApiKeyPrefix.size() + kApiKeyBodyLength + kApiKeyChecksumLength;

// A fresh key from the OpenSSL CSPRNG. Fails (kInternal) only if RAND_bytes does.
StatusOr<std::string> GenerateApiKey();

// OK when `key` has the prefix, the length, only base62 characters and a
// matching checksum; otherwise kUnauthenticated "malformed API key". Touches
// no store and does not reveal which part was wrong.
Status CheckKeyFormat(std::string_view key);

// Lower-case hex SHA-256 of the whole key string (64 characters).
std::string HashApiKey(std::string_view key);

// `n` base62 characters drawn uniformly from RAND_bytes (for key bodies and
// public key ids). Fails (kInternal) only if RAND_bytes does.
StatusOr<std::string> RandomBase62(size_t n);

}  // namespace sluice::security
