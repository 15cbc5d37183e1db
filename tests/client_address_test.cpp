// api::TrustedProxies: which address a request comes from behind reverse proxies (the
// right-most X-Forwarded-For entry that is not a trusted proxy), and parsing the setting.
#include "api/client_address.hpp"

#include <gtest/gtest.h>

namespace tandem::api {
namespace {

TrustedProxies trusting(std::string_view list) {
  auto proxies = TrustedProxies::parse(list);
  EXPECT_TRUE(proxies) << proxies.error().message();
  return proxies ? *proxies : TrustedProxies();
}

TEST(TrustedProxies, WithoutTrustedProxiesTheClientIsTheTcpPeer) {
  const TrustedProxies none;
  EXPECT_EQ(none.client_address("198.51.100.7", "203.0.113.9"), "198.51.100.7");
}

TEST(TrustedProxies, AnUntrustedPeerCannotNameAnotherClient) {
  const auto proxies = trusting("10.0.0.1");
  EXPECT_EQ(proxies.client_address("198.51.100.7", "203.0.113.9"), "198.51.100.7");
}

TEST(TrustedProxies, BehindATrustedProxyTheClientIsTheRightMostUntrustedEntry) {
  const auto proxies = trusting("10.0.0.1, 10.0.0.2");
  // The client forged 192.0.2.66; the outer proxy saw 203.0.113.9 and the inner one 10.0.0.2.
  EXPECT_EQ(proxies.client_address("10.0.0.1", "192.0.2.66, 203.0.113.9, 10.0.0.2"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.1", "203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(proxies.client_address("10.0.0.1", "10.0.0.2,10.0.0.1"), "10.0.0.2");  // all ours
  EXPECT_EQ(proxies.client_address("10.0.0.1", ""), "10.0.0.1");
}

TEST(TrustedProxies, AnEntryThatIsNotAnAddressFallsBackToThePeer) {
  const auto proxies = trusting("10.0.0.1");
  EXPECT_EQ(proxies.client_address("10.0.0.1", "203.0.113.9, unknown"), "10.0.0.1");
  // Garbage left of the entry a proxy wrote does not matter.
  EXPECT_EQ(proxies.client_address("10.0.0.1", "nonsense, 203.0.113.9"), "203.0.113.9");
}

TEST(TrustedProxies, AddressesCompareAndPrintCanonically) {
  const auto proxies = trusting("::1,2001:DB8:0:0::5");
  EXPECT_EQ(proxies.size(), 2U);
  EXPECT_EQ(proxies.client_address("::1", "2001:db8:0000::7"), "2001:db8::7");
  EXPECT_EQ(proxies.client_address("2001:db8::5", "::ffff:203.0.113.9"), "203.0.113.9");
  const auto v4 = trusting("127.0.0.1");
  EXPECT_EQ(v4.client_address("::ffff:127.0.0.1", "203.0.113.9"), "203.0.113.9");
}

TEST(TrustedProxies, ParsingRefusesWhatIsNotAnAddress) {
  EXPECT_TRUE(trusting(" , ").empty());
  auto bad = TrustedProxies::parse("10.0.0.1, proxy.example.org");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field(), "trusted_proxies");
  EXPECT_NE(bad.error().message().find("proxy.example.org"), std::string::npos);
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/8"));
}

}  // namespace
}  // namespace tandem::api
