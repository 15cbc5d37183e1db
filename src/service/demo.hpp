// The demo practice: a fictional practice seeded deterministically so people can try Tandem
// (`tandem demo`, `make demo`). One organisation, an admin, a supervisor, three therapists
// (the third a trainee the supervisor supervises) and 40 clients with 6-20 sessions each,
// whose trajectories cover every pattern and signal Tandem names, with goals, moments and
// reflections written as people write them. Every name is obviously made up.
// Seeding goes through the real use cases (so everything is validated, scored by the core and
// audited, with timestamps on the demo's own timeline) inside ONE store transaction: it lands
// whole or not at all. Thread-safe as the ports are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/instrument_catalogue.hpp"

namespace tandem::service {

// Every demo login uses this password: admin@example.org, supervisor@example.org,
// therapist1@example.org .. therapist3@example.org, client1@example.org .. client40@example.org.
inline constexpr std::string_view kDemoPassword = "tandem-demo";
inline constexpr std::string_view kDemoOrganisation = "Riverside Practice (demo)";
inline constexpr std::uint64_t kDemoSeed = 2024;
inline constexpr int kDemoClients = 40;

struct DemoPractice {
  core::Id org = 0;
  core::Id admin = 0;
  core::Id supervisor = 0;
  std::vector<core::Id> therapists;  // therapist1..therapist3 (the third a trainee)
  std::vector<core::Id> clients;     // client records of client1..client40, in order
  std::vector<core::Id> episodes;    // each client's episode, in the same order
  int sessions = 0;                  // offered (attended, cancelled or missed)
};

// The e-mail of demo client n (1-based): "client<n>@example.org".
std::string demo_client_email(int n);

// Seeds the demo practice. The same seed and the same clock's today() give identical
// records (the password hash aside when the hasher salts at random: it is computed once and
// shared by every demo login). The newest sessions fall shortly before the clock's today().
// Needs the instruments "phq9" and "gad7" in the catalogue. FailedPrecondition, with nothing
// written, when the store already holds users.
core::Result<DemoPractice> seed_demo_practice(core::Store& store, const core::Clock& clock,
                                              const core::PasswordHasher& hasher,
                                              const InstrumentCatalogue& instruments,
                                              std::uint64_t seed = kDemoSeed);

}  // namespace tandem::service
