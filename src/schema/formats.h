// `format` assertions. The formats checked are the ones a gateway's users rely
// on for structured output; every other format name is an annotation.
//   date, time, date-time  RFC 3339 §5.6 (leap seconds only at 23:59:60 UTC)
//   email                  RFC 5321 Mailbox: dot-atom or quoted local part,
//                          hostname or [IPv4] / [IPv6:...] domain
//   uuid                   RFC 4122 textual form, any version
//   uri                    RFC 3986 absolute URI
//   ipv4, ipv6             RFC 2673 dotted quad (no leading zeros), RFC 4291
//   hostname               RFC 1123 labels, 253 octets at most
#pragma once

#include <optional>
#include <string_view>

namespace sluice::schema {

enum class Format { kDate, kTime, kDateTime, kEmail, kUuid, kUri, kIpv4, kIpv6, kHostname };

// The asserted format named `name`, or nullopt for an annotation-only format.
std::optional<Format> FormatFromName(std::string_view name);

const char* FormatName(Format format);

bool IsValidFormat(Format format, std::string_view value);

}  // namespace sluice::schema
