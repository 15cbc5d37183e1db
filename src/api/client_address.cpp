#include "api/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace tandem::api {
namespace {

using Address = std::array<unsigned char, 16>;

constexpr std::array<unsigned char, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<Address> parse_address(std::string_view text) {
  const std::string s(trim(text));
  Address out{};
  if (unsigned char v4[4]; inet_pton(AF_INET, s.c_str(), v4) == 1) {
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), out.begin());
    std::copy(std::begin(v4), std::end(v4), out.begin() + 12);
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

std::string format_address(const Address& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.begin())) {
    inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, address.data(), text, sizeof text);
  }
  return text;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto comma = text.find(',');
    if (const auto part = trim(text.substr(0, comma)); !part.empty()) parts.push_back(part);
    if (comma == std::string_view::npos) return parts;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::parse(std::string_view comma_separated) {
  TrustedProxies proxies;
  for (std::string_view entry : split_commas(comma_separated)) {
    auto address = parse_address(entry);
    if (!address) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("trusted_proxies: '{}' is not an IP address", entry), "trusted_proxies"));
    }
    proxies.trusted_.push_back(*address);
  }
  return proxies;
}

bool TrustedProxies::trusts(const Address& address) const {
  return std::find(trusted_.begin(), trusted_.end(), address) != trusted_.end();
}

std::string TrustedProxies::client_address(std::string_view peer,
                                           std::string_view forwarded_for) const {
  const auto from = parse_address(peer);
  if (!from) return std::string(peer);
  if (!trusts(*from)) return format_address(*from);
  const std::vector<std::string_view> hops = split_commas(forwarded_for);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_address(*hop);
    if (!address) return format_address(*from);
    if (!trusts(*address) || std::next(hop) == hops.rend()) return format_address(*address);
  }
  return format_address(*from);
}

}  // namespace tandem::api
