#include "server/security/api_key.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace sluice::security {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> Sha256(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

// Fixed-width base62 of the first 32 bits of SHA-256(body); 62^6 > 2^32.
std::string Checksum(std::string_view body) {
  auto digest = Sha256(body);
  uint64_t v = (uint64_t{digest[0]} << 24) | (uint64_t{digest[1]} << 16) |
               (uint64_t{digest[2]} << 8) | uint64_t{digest[3]};
  std::string out(kApiKeyChecksumLength, '0');
  for (size_t i = kApiKeyChecksumLength; i-- > 0;) {
    out[i] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

}  // namespace

StatusOr<std::string> RandomBase62(size_t n) {
  std::string out;
  out.reserve(n);
  std::array<unsigned char, 64> buf{};
  while (out.size() < n) {
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
      return Status(ErrorCode::kInternal, "RAND_bytes failed");
    }
    for (unsigned char b : buf) {
      // 248 = 4 * 62: rejecting the top 8 byte values keeps b % 62 uniform.
      if (b < 248 && out.size() < n) out += kBase62[b % 62];
    }
  }
  return out;
}

StatusOr<std::string> GenerateApiKey() {
  auto body = RandomBase62(kApiKeyBodyLength);
  if (!body.ok()) return body.status();
  return std::string(kApiKeyPrefix) + *body + Checksum(*body);
}

Status CheckKeyFormat(std::string_view key) {
  Status malformed(ErrorCode::kUnauthenticated, "malformed API key");
  if (key.size() != kApiKeyLength || !key.starts_with(kApiKeyPrefix)) return malformed;
  std::string_view rest = key.substr(kApiKeyPrefix.size());
  for (char c : rest) {
    if (!IsBase62(c)) return malformed;
  }
  std::string_view body = rest.substr(0, kApiKeyBodyLength);
  if (rest.substr(kApiKeyBodyLength) != Checksum(body)) return malformed;
  return Status::Ok();
}

std::string HashApiKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto digest = Sha256(key);
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

}  // namespace sluice::security
