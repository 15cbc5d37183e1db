// Use cases for a trainee therapist's reflection log (what I tried to fix, what I sat with),
// shared with their supervisor, who comments. Each runs in one transaction with an audit
// entry. Thread-safe as the ports are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

struct NewReflection {
  std::optional<core::Id> episode;  // one of the trainee's own clients' episodes, if any
  std::string tried_to_fix;
  std::string sat_with;
};

// Trainee therapists only.
core::Result<core::Id> write_reflection(const Context& ctx, const Actor& actor,
                                        const NewReflection& input);
// The supervisor of the reflection's author.
core::Result<core::Id> comment_on_reflection(const Context& ctx, const Actor& actor,
                                             core::Id reflection, const std::string& text);

struct ReflectionThread {
  core::Reflection reflection;
  std::vector<core::ReflectionComment> comments;  // oldest first
};

// The author's own log, or a supervisee's for their supervisor; keyset pagination by id.
core::Result<std::vector<ReflectionThread>> list_reflections(const Context& ctx, const Actor& actor,
                                                             core::Id author,
                                                             const core::Page& page);

}  // namespace tandem::service
