// Lookups the use cases share (internal to src/service): a record together with the actor's
// relation to it, so that each use case reads "find it, authorize, work".
#pragma once

#include <optional>
#include <string_view>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/access.hpp"
#include "service/context.hpp"

namespace tandem::service::detail {

struct EpisodeInScope {
  core::EpisodeRecord episode;
  Relation relation = Relation::kOrganisation;
};

// The episode (NotFound outside the actor's organisation) and the actor's relation to its
// client.
core::Result<EpisodeInScope> episode_in_scope(core::Transaction& tx, const Actor& actor,
                                              core::Id episode);

// The episode, authorized for `action` on `resource`.
core::Result<EpisodeInScope> authorized_episode(core::Transaction& tx, const Actor& actor,
                                                core::Id episode, Resource resource, Action action);

// FailedPrecondition when the episode is closed: a closed episode is kept as it was.
core::Status require_open(const core::EpisodeRecord& episode);

// The session, which must belong to the episode (NotFound otherwise).
core::Result<core::SessionRecord> session_of(core::Transaction& tx, core::Id org, core::Id episode,
                                             core::Id session);

// The rater the actor speaks for: client for clients, therapist otherwise.
core::Rater rater_of(const Actor& actor);

bool blank(std::string_view text);

}  // namespace tandem::service::detail
