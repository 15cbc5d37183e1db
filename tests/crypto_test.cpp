// src/crypto: argon2id password hashing, sealed fields and their keyring and key files,
// session/invitation tokens, and the system clock.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "crypto/field_cipher.hpp"
#include "crypto/keyring.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/system_clock.hpp"
#include "crypto/tokens.hpp"

namespace tandem::crypto {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;

// Fixed keys, so that two keyrings can hold the same key.
constexpr std::string_view kHexA =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kHexB =
    "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";
constexpr std::string_view kHexC =
    "5555555555555555555555555555555555555555555555555555555555555555";

Keyring keyring_of(std::string_view text) {
  core::Result<Keyring> keyring = parse_key_file(text, "test keys");
  EXPECT_TRUE(keyring.has_value()) << keyring.error().message();
  return std::move(*keyring);
}

SodiumFieldCipher cipher_of(std::string_view text) { return SodiumFieldCipher(keyring_of(text)); }

std::string key_id(std::string_view hex) { return keyring_of(hex).current().id(); }

bool is_base64url(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool is_lower_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string payload_of(const std::string& sealed) { return sealed.substr(sealed.find(':', 4) + 1); }

std::vector<unsigned char> decode(std::string_view b64) {
  std::vector<unsigned char> out(b64.size());
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &length,
                              nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  out.resize(length);
  return out;
}

std::string encode(const std::vector<unsigned char>& bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.pop_back();
  return out;
}

// A private temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tandem-crypto-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(std::string_view name) const { return path_ / name; }

 private:
  fs::path path_;
};

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// ---------------------------------------------------------------------------------------
// Password hashing

TEST(Argon2idHasher, HashThenVerifyAcceptsThePassword) {
  const Argon2idHasher hasher(HashStrength::kTestOnlyFast);
  const core::Result<std::string> hash = hasher.hash("correct horse battery staple");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *hash;
  EXPECT_TRUE(hasher.verify(*hash, "correct horse battery staple"));
}

TEST(Argon2idHasher, WrongPasswordIsRejected) {
  const Argon2idHasher hasher(HashStrength::kTestOnlyFast);
  const std::string hash = *hasher.hash("tandem-demo");
  EXPECT_FALSE(hasher.verify(hash, "tandem-demO"));
  EXPECT_FALSE(hasher.verify(hash, "tandem-dem"));
  EXPECT_FALSE(hasher.verify(hash, ""));
  EXPECT_FALSE(hasher.verify(hash, std::string("tandem-demo\0x", 13)));
}

TEST(Argon2idHasher, EmptyAndUnicodePasswordsRoundTrip) {
  const Argon2idHasher hasher(HashStrength::kTestOnlyFast);
  const std::string empty = *hasher.hash("");
  EXPECT_TRUE(hasher.verify(empty, ""));
  EXPECT_FALSE(hasher.verify(empty, " "));
  const std::string unicode = *hasher.hash("Grüße, 世界 🌱");
  EXPECT_TRUE(hasher.verify(unicode, "Grüße, 世界 🌱"));
  EXPECT_FALSE(hasher.verify(unicode, "Grusse, 世界 🌱"));
}

TEST(Argon2idHasher, EachHashHasItsOwnSalt) {
  const Argon2idHasher hasher(HashStrength::kTestOnlyFast);
  const std::string first = *hasher.hash("same");
  const std::string second = *hasher.hash("same");
  EXPECT_NE(first, second);
  EXPECT_TRUE(hasher.verify(first, "same"));
  EXPECT_TRUE(hasher.verify(second, "same"));
}

TEST(Argon2idHasher, MalformedHashesAreFalseNotACrash) {
  const Argon2idHasher hasher(HashStrength::kTestOnlyFast);
  const std::string good = *hasher.hash("secret");
  std::string altered = good;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  const std::vector<std::string> malformed = {
      "",
      "secret",
      "$argon2id$",
      "$argon2id$v=19$m=8,t=1,p=1$",
      "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$",
      "$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
      "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",  // bcrypt
      good.substr(0, good.size() / 2),
      std::string(good).insert(10, 1, '\0'),
      std::string(500, 'a'),
      good + std::string(200, 'A'),
  };
  for (const std::string& hash : malformed) {
    EXPECT_FALSE(hasher.verify(hash, "secret")) << hash;
    EXPECT_TRUE(hasher.needs_rehash(hash)) << hash;
  }
  // A damaged digest behind intact parameters: wrong, though its limits are current.
  EXPECT_FALSE(hasher.verify(altered, "secret"));
  EXPECT_FALSE(hasher.needs_rehash(altered));
}

TEST(Argon2idHasher, NeedsRehashWhenLimitsOrAlgorithmDiffer) {
  const Argon2idHasher fast(HashStrength::kTestOnlyFast);
  const Argon2idHasher interactive(HashStrength::kInteractive);
  const std::string hash = *fast.hash("secret");
  EXPECT_FALSE(fast.needs_rehash(hash));
  EXPECT_TRUE(interactive.needs_rehash(hash));

  // An argon2i hash at the very same limits still verifies but must move to argon2id.
  std::array<char, crypto_pwhash_STRBYTES> argon2i{};
  ASSERT_EQ(crypto_pwhash_str_alg(argon2i.data(), "secret", 6, crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                  crypto_pwhash_argon2i_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13),
            0);
  const Argon2idHasher argon2i_limits(HashStrength::kTestOnlyFast);
  EXPECT_TRUE(argon2i_limits.verify(argon2i.data(), "secret"));
  EXPECT_TRUE(argon2i_limits.needs_rehash(argon2i.data()));
}

TEST(Argon2idHasher, ProfilesUseLibsodiumsArgon2idLimits) {
  EXPECT_EQ(hash_limits(HashStrength::kInteractive).ops_limit, 2u);
  EXPECT_EQ(hash_limits(HashStrength::kInteractive).mem_limit_bytes, 64u << 20);
  EXPECT_EQ(hash_limits(HashStrength::kModerate).ops_limit, 3u);
  EXPECT_EQ(hash_limits(HashStrength::kModerate).mem_limit_bytes, 256u << 20);
  EXPECT_EQ(hash_limits(HashStrength::kTestOnlyFast).ops_limit, 1u);
  EXPECT_EQ(hash_limits(HashStrength::kTestOnlyFast).mem_limit_bytes, 8192u);
  EXPECT_EQ(Argon2idHasher().strength(), HashStrength::kInteractive);
}

// The one test that pays for the production default (64 MiB, two passes).
TEST(Argon2idHasher, InteractiveProfileRoundTrips) {
  const Argon2idHasher hasher;  // kInteractive
  const core::Result<std::string> hash = hasher.hash("tandem-demo");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << *hash;
  EXPECT_TRUE(hasher.verify(*hash, "tandem-demo"));
  EXPECT_FALSE(hasher.verify(*hash, "tandem-dem0"));
  EXPECT_FALSE(hasher.needs_rehash(*hash));
  EXPECT_TRUE(Argon2idHasher(HashStrength::kModerate).needs_rehash(*hash));
}

// ---------------------------------------------------------------------------------------
// Sealed fields

TEST(SodiumFieldCipher, SealThenOpenReturnsThePlaintext) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  std::string megabyte(1 << 20, '\0');
  for (std::size_t i = 0; i < megabyte.size(); ++i) {
    megabyte[i] = static_cast<char>(i * 131 % 251);
  }
  const std::vector<std::string> texts = {
      "",
      "I want to sleep through the night",
      "Wieder lachen können — 再次笑 — ✨🌱",
      std::string("nul\0inside", 10),
      megabyte,
  };
  for (const std::string& text : texts) {
    const core::Result<std::string> sealed = cipher.seal(text);
    ASSERT_TRUE(sealed.has_value());
    const core::Result<std::string> opened = cipher.open(*sealed);
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    EXPECT_EQ(*opened, text);
  }
}

TEST(SodiumFieldCipher, SealedTextNamesVersionAndKeyAndIsBase64url) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  const std::string sealed = *cipher.seal("hope");
  const std::string prefix = "tk1:" + key_id(kHexA) + ":";
  ASSERT_TRUE(sealed.starts_with(prefix)) << sealed;
  const std::string payload = sealed.substr(prefix.size());
  EXPECT_TRUE(is_base64url(payload)) << payload;
  // 24-byte nonce + 4 bytes of text + 16-byte tag.
  EXPECT_EQ(decode(payload).size(), 24u + 4u + 16u);
  EXPECT_EQ(sealed_key_id(sealed), key_id(kHexA));
  EXPECT_EQ(sealed.find("hope"), std::string::npos);
}

TEST(SodiumFieldCipher, EachSealUsesAFreshNonce) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  std::set<std::string> seen;
  std::set<std::string> nonces;
  for (int i = 0; i < 200; ++i) {
    const std::string sealed = *cipher.seal("same text");
    seen.insert(sealed);
    const std::vector<unsigned char> bytes = decode(payload_of(sealed));
    nonces.insert(std::string(bytes.begin(), bytes.begin() + 24));
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(nonces.size(), 200u);
}

TEST(SodiumFieldCipher, AlteringAnyCharacterOfTheSealedTextFails) {
  const SodiumFieldCipher cipher = cipher_of(std::string(kHexA) + "\n" + std::string(kHexB));
  const std::string sealed = *cipher.seal("what better looks like");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (char replacement : {'A', 'f', '0', '_', ':'}) {
      if (sealed[i] == replacement) {
        continue;
      }
      std::string altered = sealed;
      altered[i] = replacement;
      const core::Result<std::string> opened = cipher.open(altered);
      EXPECT_FALSE(opened.has_value()) << "position " << i << " -> " << replacement;
    }
  }
}

TEST(SodiumFieldCipher, AlteringAnyByteOfNonceCiphertextOrTagFailsAuthentication) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  const std::string sealed = *cipher.seal("small shifts that would feel meaningful");
  const std::string head = sealed.substr(0, sealed.size() - payload_of(sealed).size());
  const std::vector<unsigned char> bytes = decode(payload_of(sealed));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      std::vector<unsigned char> altered = bytes;
      altered[i] ^= bit;
      const core::Result<std::string> opened = cipher.open(head + encode(altered));
      ASSERT_FALSE(opened.has_value()) << "byte " << i;
      EXPECT_EQ(opened.error().code(), StatusCode::kInternal);
      EXPECT_NE(opened.error().message().find("failed authentication"), std::string::npos);
    }
  }
  // Cut short, or lengthened.
  std::vector<unsigned char> shorter(bytes.begin(), bytes.end() - 1);
  EXPECT_FALSE(cipher.open(head + encode(shorter)).has_value());
  std::vector<unsigned char> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(cipher.open(head + encode(longer)).has_value());
}

TEST(SodiumFieldCipher, TextThatIsNotASealedFieldIsInvalid) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  const std::string id = key_id(kHexA);
  const std::vector<std::string> inputs = {
      "",
      "plain text stored before encryption",
      "tk1",
      "tk1:",
      "tk1:" + id,
      "tk1:" + id + ":",
      "tk1:" + id + ":AAAA",                     // too short for nonce and tag
      "tk1:" + id + ":" + std::string(60, '='),  // not base64url
      "tk2:" + id + ":" + payload_of(*cipher.seal("x")),
      "tk1:ABCDEF12:" + payload_of(*cipher.seal("x")),  // key ids are lower-case hex
      "tk1:abc:" + payload_of(*cipher.seal("x")),
  };
  for (const std::string& input : inputs) {
    const core::Result<std::string> opened = cipher.open(input);
    ASSERT_FALSE(opened.has_value()) << input;
    EXPECT_EQ(opened.error().code(), StatusCode::kInvalidArgument) << input;
    EXPECT_EQ(sealed_key_id(input).has_value(), input.starts_with("tk1:" + id + ":")) << input;
  }
}

TEST(SodiumFieldCipher, UnknownKeyFailsWithAClearMessage) {
  const SodiumFieldCipher sealer = cipher_of(kHexA);
  const SodiumFieldCipher other = cipher_of(kHexB);
  const core::Result<std::string> opened = other.open(*sealer.seal("a moment that mattered"));
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(opened.error().message(), "cannot decrypt: the key that sealed this field (id " +
                                          key_id(kHexA) + ") is not in the keyring");
}

TEST(SodiumFieldCipher, NamingAnotherKeyOfTheKeyringFailsAuthentication) {
  const SodiumFieldCipher cipher = cipher_of(std::string(kHexA) + "\n" + std::string(kHexB));
  const std::string sealed = *cipher.seal("text");
  const std::string relabelled = "tk1:" + key_id(kHexB) + ":" + payload_of(sealed);
  const core::Result<std::string> opened = cipher.open(relabelled);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kInternal);
}

TEST(SodiumFieldCipher, CiphertextUnderAnotherContextDoesNotOpen) {
  const SodiumFieldCipher cipher = cipher_of(kHexA);
  // Seal by hand under the same key with different associated data.
  std::array<unsigned char, 32> key{};
  ASSERT_EQ(
      sodium_hex2bin(key.data(), key.size(), kHexA.data(), kHexA.size(), nullptr, nullptr, nullptr),
      0);
  const std::string text = "text";
  const std::string context = "another-format";
  std::vector<unsigned char> out(24 + text.size() + 16);
  randombytes_buf(out.data(), 24);
  unsigned long long length = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_encrypt(
                out.data() + 24, &length, reinterpret_cast<const unsigned char*>(text.data()),
                text.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                nullptr, out.data(), key.data()),
            0);
  EXPECT_FALSE(cipher.open("tk1:" + key_id(kHexA) + ":" + encode(out)).has_value());
  // ... and the same bytes under Tandem's context do open.
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_encrypt(
                out.data() + 24, &length, reinterpret_cast<const unsigned char*>(text.data()),
                text.size(), reinterpret_cast<const unsigned char*>(kFieldContext.data()),
                kFieldContext.size(), nullptr, out.data(), key.data()),
            0);
  EXPECT_EQ(cipher.open("tk1:" + key_id(kHexA) + ":" + encode(out)).value_or("?"), text);
}

TEST(SodiumFieldCipher, KeyRotationOpensOldAndNewAndResealsUnderTheNewKey) {
  const SodiumFieldCipher before = cipher_of(kHexA);
  const std::string old_field = *before.seal("my hopes for therapy");

  // rotate-key: a new key becomes current; the old one stays to open older fields.
  const SodiumFieldCipher after = cipher_of(std::string(kHexB) + "\n" + std::string(kHexA));
  EXPECT_EQ(after.keyring().ids(), (std::vector<std::string>{key_id(kHexB), key_id(kHexA)}));
  const std::string new_field = *after.seal("feeling calmer at work");
  EXPECT_EQ(sealed_key_id(new_field), key_id(kHexB));
  EXPECT_EQ(after.open(old_field).value_or("?"), "my hopes for therapy");
  EXPECT_EQ(after.open(new_field).value_or("?"), "feeling calmer at work");
  EXPECT_FALSE(after.sealed_with_current_key(old_field));
  EXPECT_TRUE(after.sealed_with_current_key(new_field));

  // reseal: the field moves to the new key.
  const core::Result<std::string> resealed = after.reseal(old_field);
  ASSERT_TRUE(resealed.has_value());
  EXPECT_EQ(sealed_key_id(*resealed), key_id(kHexB));
  EXPECT_TRUE(after.sealed_with_current_key(*resealed));

  // Once the old key is dropped, only resealed fields open.
  const SodiumFieldCipher dropped = cipher_of(kHexB);
  EXPECT_EQ(dropped.open(*resealed).value_or("?"), "my hopes for therapy");
  const core::Result<std::string> stale = dropped.open(old_field);
  ASSERT_FALSE(stale.has_value());
  EXPECT_NE(stale.error().message().find("(id " + key_id(kHexA) + ")"), std::string::npos);
}

TEST(SodiumFieldCipher, ResealOfAnUnopenableFieldFails) {
  const SodiumFieldCipher cipher = cipher_of(kHexB);
  EXPECT_FALSE(cipher.reseal(*cipher_of(kHexA).seal("x")).has_value());
  EXPECT_FALSE(cipher.reseal("not sealed").has_value());
}

// ---------------------------------------------------------------------------------------
// Keys, keyrings and key files

TEST(SecretKey, IdIsTheFirstEightHexCharactersOfBlake2b) {
  std::array<unsigned char, 32> bytes{};
  ASSERT_EQ(sodium_hex2bin(bytes.data(), bytes.size(), kHexA.data(), kHexA.size(), nullptr, nullptr,
                           nullptr),
            0);
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), bytes.data(), bytes.size(), nullptr, 0);
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());

  const core::Result<SecretKey> key = SecretKey::from_bytes(bytes);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->id(), std::string(hex.data(), 8));
  EXPECT_EQ(key->to_hex(), kHexA);
}

TEST(SecretKey, GeneratedKeysDifferAndWrongSizesAreRefused) {
  const core::Result<SecretKey> a = SecretKey::generate();
  const core::Result<SecretKey> b = SecretKey::generate();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->to_hex(), b->to_hex());
  EXPECT_EQ(a->id().size(), kKeyIdChars);
  EXPECT_TRUE(is_lower_hex(a->id()));

  const std::array<unsigned char, 31> short_key{};
  const core::Result<SecretKey> refused = SecretKey::from_bytes(short_key);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
}

TEST(SecretKey, MovingKeepsTheKey) {
  core::Result<SecretKey> key = SecretKey::from_bytes(std::vector<unsigned char>(32, 7));
  ASSERT_TRUE(key.has_value());
  const std::string id = key->id();
  SecretKey moved = std::move(*key);
  EXPECT_EQ(moved.id(), id);
  SecretKey assigned = *SecretKey::generate();
  assigned = std::move(moved);
  EXPECT_EQ(assigned.id(), id);
  std::string sevens;
  for (int i = 0; i < 32; ++i) {
    sevens += "07";
  }
  EXPECT_EQ(assigned.to_hex(), sevens);
}

TEST(Keyring, RefusesEmptyAndDuplicateKeys) {
  EXPECT_FALSE(Keyring::from_keys({}).has_value());
  std::vector<SecretKey> keys;
  keys.push_back(*SecretKey::from_bytes(std::vector<unsigned char>(32, 1)));
  keys.push_back(*SecretKey::from_bytes(std::vector<unsigned char>(32, 1)));
  const core::Result<Keyring> keyring = Keyring::from_keys(std::move(keys));
  ASSERT_FALSE(keyring.has_value());
  EXPECT_NE(keyring.error().message().find("share the id"), std::string::npos);
}

TEST(KeyFile, AcceptsHexAndEveryBase64SpellingWithComments) {
  std::array<unsigned char, 32> bytes{};
  ASSERT_EQ(sodium_hex2bin(bytes.data(), bytes.size(), kHexC.data(), kHexC.size(), nullptr, nullptr,
                           nullptr),
            0);
  std::vector<std::string> spellings;
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    std::string text(sodium_base64_ENCODED_LEN(32, variant), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
    text.pop_back();
    spellings.push_back(text);
  }
  std::string upper(kHexC);
  spellings.push_back(upper);
  for (const std::string& spelling : spellings) {
    const std::string text = "# Tandem keys\n\n   " + spelling + "   # current\r\n" +
                             std::string(kHexA) + "\n# the end\n";
    const core::Result<Keyring> keyring = parse_key_file(text, "keys");
    ASSERT_TRUE(keyring.has_value()) << spelling << ": " << keyring.error().message();
    EXPECT_EQ(keyring->ids(), (std::vector<std::string>{key_id(kHexC), key_id(kHexA)}));
    EXPECT_EQ(keyring->current().id(), key_id(kHexC));
  }
}

TEST(KeyFile, ErrorsNameTheLineAndNeverQuoteTheKeyText) {
  const std::string text = "# keys\n" + std::string(kHexA) + "\n\nsecretish-but-not-a-key\n";
  const core::Result<Keyring> keyring = parse_key_file(text, "key file /etc/tandem/keys");
  ASSERT_FALSE(keyring.has_value());
  EXPECT_EQ(keyring.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(keyring.error().message().find("key file /etc/tandem/keys, line 4: not a key"),
            std::string::npos)
      << keyring.error().message();
  EXPECT_EQ(keyring.error().message().find("secretish"), std::string::npos);

  const core::Result<Keyring> short_hex = parse_key_file(kHexA.substr(1), "keys");
  ASSERT_FALSE(short_hex.has_value());
  EXPECT_NE(short_hex.error().message().find("keys, line 1: not a key"), std::string::npos);
  EXPECT_NE(short_hex.error().message().find("found 63 characters"), std::string::npos);

  const core::Result<Keyring> bad_hex = parse_key_file(std::string(64, 'g'), "keys");
  ASSERT_FALSE(bad_hex.has_value());
  EXPECT_NE(bad_hex.error().message().find("line 1"), std::string::npos);

  // 32 bytes of base64 that decode to 33 bytes are refused.
  const core::Result<Keyring> long_b64 = parse_key_file(std::string(44, 'A'), "keys");
  EXPECT_FALSE(long_b64.has_value());
}

TEST(KeyFile, DuplicateKeysNameBothLines) {
  const std::string text =
      std::string(kHexA) + "\n" + std::string(kHexB) + "\n" + std::string(kHexA) + "\n";
  const core::Result<Keyring> keyring = parse_key_file(text, "keys");
  ASSERT_FALSE(keyring.has_value());
  EXPECT_EQ(keyring.error().message(),
            "keys, line 3: the same key as line 1 (id " + key_id(kHexA) + ")");
}

TEST(KeyFile, WithoutAnyKeyIsAnError) {
  for (const std::string text : {"", "\n\n", "# only a comment\n   # and another\n"}) {
    const core::Result<Keyring> keyring = parse_key_file(text, "keys");
    ASSERT_FALSE(keyring.has_value());
    EXPECT_EQ(keyring.error().message(), "keys holds no key");
  }
}

TEST(KeyFile, FormatThenParseGivesTheSameKeyring) {
  const Keyring keyring = keyring_of(std::string(kHexB) + "\n" + std::string(kHexA));
  const std::string text = format_key_file(keyring);
  EXPECT_NE(text.find(std::string(kHexB) + "  # id " + key_id(kHexB)), std::string::npos);
  EXPECT_LT(text.find(std::string(kHexB)), text.find(std::string(kHexA)));
  EXPECT_EQ(keyring_of(text).ids(), keyring.ids());
}

TEST(LoadKeyring, PrefersThePathThenTheKeyFileVariableThenTheKeyVariable) {
  const TempDir dir;
  write_text(dir / "a.keys", kHexA);
  write_text(dir / "b.keys", kHexB);
  const KeyEnvironment both_files{.key = std::nullopt, .key_file = (dir / "b.keys").string()};

  EXPECT_EQ(load_keyring(dir / "a.keys", both_files)->current().id(), key_id(kHexA));
  EXPECT_EQ(load_keyring(std::nullopt, both_files)->current().id(), key_id(kHexB));
  EXPECT_EQ(load_keyring(fs::path(), both_files)->current().id(), key_id(kHexB));

  const KeyEnvironment key_only{.key = std::string(kHexC) + "," + std::string(kHexA),
                                .key_file = ""};
  const core::Result<Keyring> from_env = load_keyring(std::nullopt, key_only);
  ASSERT_TRUE(from_env.has_value()) << from_env.error().message();
  EXPECT_EQ(from_env->ids(), (std::vector<std::string>{key_id(kHexC), key_id(kHexA)}));

  // An explicit path wins even over TANDEM_KEY.
  EXPECT_EQ(load_keyring(dir / "a.keys", key_only)->current().id(), key_id(kHexA));
}

TEST(LoadKeyring, ExplainsWhatIsMissingOrAmbiguous) {
  const TempDir dir;
  const core::Result<Keyring> none = load_keyring(std::nullopt, {});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.error().message().find("TANDEM_KEY_FILE"), std::string::npos);

  const core::Result<Keyring> both = load_keyring(
      std::nullopt, {.key = std::string(kHexA), .key_file = (dir / "x.keys").string()});
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().code(), StatusCode::kInvalidArgument);

  const core::Result<Keyring> missing = load_keyring(dir / "missing.keys", {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.error().message().find("missing.keys does not exist"), std::string::npos);

  const core::Result<Keyring> bad_env =
      load_keyring(std::nullopt, {.key = std::string(kHexA) + ",nope", .key_file = {}});
  ASSERT_FALSE(bad_env.has_value());
  EXPECT_NE(bad_env.error().message().find("TANDEM_KEY, key 2: not a key"), std::string::npos);

  const core::Result<Keyring> directory = load_keyring(dir / "", {});
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code(), StatusCode::kFailedPrecondition);

  write_text(dir / "huge.keys", std::string(2 << 20, '#'));
  const core::Result<Keyring> huge = load_keyring(dir / "huge.keys", {});
  ASSERT_FALSE(huge.has_value());
  EXPECT_NE(huge.error().message().find("too large"), std::string::npos);

  write_text(dir / "bad.keys", std::string(kHexA) + "\n" + "zz\n");
  const core::Result<Keyring> bad_file = load_keyring(dir / "bad.keys", {});
  ASSERT_FALSE(bad_file.has_value());
  EXPECT_NE(bad_file.error().message().find("bad.keys, line 2: not a key"), std::string::npos);
}

TEST(KeyFileLifecycle, KeygenCreatesAPrivateFileAndNeverOverwrites) {
  const TempDir dir;
  const fs::path path = dir / "tandem.keys";
  const core::Result<std::string> id = create_key_file(path);
  ASSERT_TRUE(id.has_value()) << id.error().message();
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const core::Result<Keyring> keyring = read_key_file(path);
  ASSERT_TRUE(keyring.has_value());
  EXPECT_EQ(keyring->ids(), std::vector<std::string>{*id});

  const core::Result<std::string> again = create_key_file(path);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(read_key_file(path)->ids(), std::vector<std::string>{*id});
}

TEST(KeyFileLifecycle, RotateResealThenDropOldKeys) {
  const TempDir dir;
  const fs::path path = dir / "tandem.keys";
  const std::string first = *create_key_file(path);
  const std::string old_field = *SodiumFieldCipher(*read_key_file(path)).seal("hopes");

  // rotate-key: new key first, old key kept.
  const core::Result<std::string> second = rotate_key_file(path);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_NE(*second, first);
  const SodiumFieldCipher rotated(*read_key_file(path));
  EXPECT_EQ(rotated.keyring().ids(), (std::vector<std::string>{*second, first}));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // reseal_all would do this for every field.
  const std::string resealed = *rotated.reseal(old_field);
  EXPECT_EQ(sealed_key_id(resealed), *second);

  // Then drop the old key.
  const core::Result<std::vector<std::string>> dropped = drop_old_keys(path);
  ASSERT_TRUE(dropped.has_value());
  EXPECT_EQ(*dropped, std::vector<std::string>{first});
  const SodiumFieldCipher after(*read_key_file(path));
  EXPECT_EQ(after.keyring().ids(), std::vector<std::string>{*second});
  EXPECT_EQ(after.open(resealed).value_or("?"), "hopes");
  EXPECT_FALSE(after.open(old_field).has_value());
  EXPECT_TRUE(drop_old_keys(path)->empty());

  // No temporary files are left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir / "")) {
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(KeyFileLifecycle, RotateRefusesAMissingOrBrokenFile) {
  const TempDir dir;
  EXPECT_EQ(rotate_key_file(dir / "missing.keys").error().code(), StatusCode::kNotFound);
  write_text(dir / "broken.keys", "not a key\n");
  const core::Result<std::string> broken = rotate_key_file(dir / "broken.keys");
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message().find("line 1"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Tokens

TEST(Tokens, AreFortyThreeCharactersOfBase64urlAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string token = random_token();
    ASSERT_EQ(token.size(), 43u);
    ASSERT_TRUE(is_base64url(token)) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(Tokens, HashIsStableLowerHexBlake2b256) {
  // Reference values of BLAKE2b-256 (RFC 7693 with a 32-byte digest).
  EXPECT_EQ(token_hash(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(token_hash("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  const std::string token = random_token();
  const std::string hash = token_hash(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_TRUE(is_lower_hex(hash));
  EXPECT_EQ(token_hash(token), hash);
  EXPECT_NE(token_hash(random_token()), hash);
  EXPECT_EQ(hash.find(token), std::string::npos);
}

TEST(Tokens, ConstantTimeEqualComparesContentAndLength) {
  const std::string token = random_token();
  EXPECT_TRUE(constant_time_equal(token, std::string(token)));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(std::string_view(), ""));
  EXPECT_FALSE(constant_time_equal(token, random_token()));
  EXPECT_FALSE(constant_time_equal(token, token.substr(0, 42)));
  EXPECT_FALSE(constant_time_equal(token.substr(0, 42), token));
  EXPECT_FALSE(constant_time_equal(token, ""));
  std::string last_differs = token;
  last_differs.back() = last_differs.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(constant_time_equal(token, last_differs));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
}

// ---------------------------------------------------------------------------------------
// System clock

TEST(SystemClock, ReadsUtcMillisecondsAndDays) {
  const SystemClock clock;
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const core::Timestamp now = clock.now();
  const core::Date today = clock.today();
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
  EXPECT_GT(now, 1'700'000'000'000);  // after November 2023
  constexpr std::int64_t kMsPerDay = 86'400'000;
  EXPECT_GE(today, before / kMsPerDay);
  EXPECT_LE(today, after / kMsPerDay);
}

}  // namespace
}  // namespace tandem::crypto
