// What every use case is given: the actor (who is asking, as the API layer authenticated
// them) and the context (the ports the service works through). The service layer depends on
// core only; adapters (SQLite, PostgreSQL, libsodium, the JSON instrument loader) are wired in
// by the CLI and the server. Values and references; a Context is safe to share across threads
// when its ports are (every adapter Tandem ships is).
#pragma once

#include <optional>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "service/instrument_catalogue.hpp"

namespace tandem::service {

// The authenticated caller. The API layer builds it from the user's record (authenticate()
// does so for a password); the service decides what the actor may do.
struct Actor {
  core::Id user = 0;
  core::Id org = 0;
  core::Role role = core::Role::kClient;
  bool trainee = false;               // a therapist in training (keeps a reflection log)
  std::optional<core::Id> client_id;  // role client: their own client record
};

struct Context {
  core::Store& store;
  const core::Clock& clock;
  const core::PasswordHasher& hasher;
  const InstrumentCatalogue& instruments;
};

}  // namespace tandem::service
