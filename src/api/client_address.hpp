// Which address a request comes from, for login throttling per address. Behind a reverse
// proxy the TCP peer is the proxy, so every client would share one throttling counter; when
// the peer is one of the configured trusted proxies, the client is the right-most
// X-Forwarded-For entry that is not itself a trusted proxy (each proxy appends the address
// it was connected from, so entries to the left of that one may be forged by the client).
// Immutable after parse(); safe to share between threads.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace tandem::api {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts no one: the client is always the TCP peer

  // "10.0.0.1, 10.0.0.2" (IPv4 or IPv6, comma-separated, blanks ignored); InvalidArgument
  // naming trusted_proxies for an entry that is not an IP address.
  static core::Result<TrustedProxies> parse(std::string_view comma_separated);

  // The client's address: `peer` unless it is trusted, else the right-most entry of
  // `forwarded_for` (every X-Forwarded-For header, joined by commas, in order) that is not
  // trusted; the left-most entry when every one is trusted; `peer` when there is no
  // header, or when the entry it would pick is not an IP address (a proxy always writes
  // one, so that entry cannot have come from a proxy we trust). Addresses are returned in
  // canonical text form ("2001:db8::1", IPv4-mapped IPv6 as IPv4).
  [[nodiscard]] std::string client_address(std::string_view peer,
                                           std::string_view forwarded_for) const;

  [[nodiscard]] bool empty() const { return trusted_.empty(); }
  [[nodiscard]] std::size_t size() const { return trusted_.size(); }

 private:
  using Address = std::array<unsigned char, 16>;  // IPv4 as IPv4-mapped IPv6
  [[nodiscard]] bool trusts(const Address& address) const;

  std::vector<Address> trusted_;
};

}  // namespace tandem::api
