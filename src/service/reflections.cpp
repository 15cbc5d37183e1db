#include "service/reflections.hpp"

#include <utility>

#include "service/access.hpp"
#include "service/lookups.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {

using core::Id;
using core::Result;
using core::Status;
using detail::AuditNote;
using detail::note_for;
using detail::run;

Result<Id> write_reflection(const Context& ctx, const Actor& actor, const NewReflection& input) {
  return run(
      ctx, note_for(actor, "reflection.create", "reflection"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
        if (auto s = authorize(actor, Resource::kReflection, Action::kCreate, Relation::kOwn);
            !s.is_ok()) {
          return core::fail(s);
        }
        if (input.episode) {
          auto scope = detail::episode_in_scope(tx, actor, *input.episode);
          if (!scope) return core::fail(scope.error());
          if (scope->relation != Relation::kAssigned) {
            return core::fail(Status::permission_denied(
                "a reflection may name only an episode of one of your own clients"));
          }
        }
        if (detail::blank(input.tried_to_fix) && detail::blank(input.sat_with)) {
          return core::fail(Status::invalid_argument(
              "tried_to_fix: write what you tried to fix, what you sat with, or both",
              "tried_to_fix"));
        }
        core::Reflection reflection;
        reflection.org = actor.org;
        reflection.author = actor.user;
        reflection.episode = input.episode;
        reflection.tried_to_fix = input.tried_to_fix;
        reflection.sat_with = input.sat_with;
        reflection.at = ctx.clock.now();
        auto id = tx.add_reflection(reflection);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        return *id;
      });
}

Result<Id> comment_on_reflection(const Context& ctx, const Actor& actor, Id reflection,
                                 const std::string& text) {
  return run(
      ctx, note_for(actor, "reflection-comment.create", "reflection", reflection),
      [&](core::Transaction& tx, AuditNote&) -> Result<Id> {
        auto found = tx.get_reflection(actor.org, reflection);
        if (!found) return core::fail(found.error());
        auto relation = relation_to_therapist(tx, actor, found->author);
        if (!relation) return core::fail(relation.error());
        if (auto s = authorize(actor, Resource::kReflectionComment, Action::kCreate, *relation);
            !s.is_ok()) {
          return core::fail(s);
        }
        if (detail::blank(text)) {
          return core::fail(Status::invalid_argument("text: the comment is empty", "text"));
        }
        core::ReflectionComment comment;
        comment.org = actor.org;
        comment.reflection = reflection;
        comment.author = actor.user;
        comment.text = text;
        comment.at = ctx.clock.now();
        return tx.add_comment(comment);
      });
}

Result<std::vector<ReflectionThread>> list_reflections(const Context& ctx, const Actor& actor,
                                                       Id author, const core::Page& page) {
  return run(ctx, note_for(actor, "reflection.list", "user", author),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<ReflectionThread>> {
               auto relation = relation_to_therapist(tx, actor, author);
               if (!relation) return core::fail(relation.error());
               if (auto s = authorize(actor, Resource::kReflection, Action::kRead, *relation);
                   !s.is_ok()) {
                 return core::fail(s);
               }
               const bool with_comments = decide(actor, Resource::kReflectionComment, Action::kRead,
                                                 *relation) == Decision::kAllow;
               auto reflections = tx.reflections_of(actor.org, author, page);
               if (!reflections) return core::fail(reflections.error());
               std::vector<ReflectionThread> out;
               out.reserve(reflections->size());
               for (core::Reflection& r : *reflections) {
                 ReflectionThread thread;
                 if (with_comments) {
                   auto comments = tx.comments_of(actor.org, r.id);
                   if (!comments) return core::fail(comments.error());
                   thread.comments = std::move(*comments);
                 }
                 thread.reflection = std::move(r);
                 out.push_back(std::move(thread));
               }
               return out;
             });
}

}  // namespace tandem::service
