#include "service/lookups.hpp"

namespace tandem::service::detail {

core::Result<EpisodeInScope> episode_in_scope(core::Transaction& tx, const Actor& actor,
                                              core::Id episode) {
  auto record = tx.get_episode(actor.org, episode);
  if (!record) return core::fail(record.error());
  auto relation = relation_to_client(tx, actor, record->client);
  if (!relation) return core::fail(relation.error());
  return EpisodeInScope{std::move(*record), *relation};
}

core::Result<EpisodeInScope> authorized_episode(core::Transaction& tx, const Actor& actor,
                                                core::Id episode, Resource resource,
                                                Action action) {
  auto scope = episode_in_scope(tx, actor, episode);
  if (!scope) return scope;
  if (auto s = authorize(actor, resource, action, scope->relation); !s.is_ok()) {
    return core::fail(s);
  }
  return scope;
}

core::Status require_open(const core::EpisodeRecord& episode) {
  if (episode.closed) {
    return core::Status::failed_precondition("the episode was closed on " +
                                             core::format_date(*episode.closed) +
                                             "; a closed episode is kept as it was");
  }
  return core::Status::ok();
}

core::Result<core::SessionRecord> session_of(core::Transaction& tx, core::Id org, core::Id episode,
                                             core::Id session) {
  auto record = tx.get_session(org, session);
  if (!record) return core::fail(record.error());
  if (record->episode != episode) {
    return core::fail(core::Status::not_found("session not found in this episode"));
  }
  return record;
}

core::Rater rater_of(const Actor& actor) {
  return actor.role == core::Role::kClient ? core::Rater::kClient : core::Rater::kTherapist;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace tandem::service::detail
