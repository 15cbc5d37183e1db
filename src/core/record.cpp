#include "core/record.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace tandem::core {
namespace {

// Hinnant, H. "chrono-Compatible Low-Level Date Algorithms" (days_from_civil and
// civil_from_days), public-domain algorithms for the proleptic Gregorian calendar.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

bool parse_digits(std::string_view text, unsigned& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc();
}

Status invalid(std::string message, std::string field) {
  return Status::invalid_argument(std::move(message), std::move(field));
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  unsigned y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (!parse_digits(text.substr(0, 4), y) || !parse_digits(text.substr(5, 2), m) ||
      !parse_digits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const std::int64_t days = days_from_civil(y, m, d);
  const Civil back = civil_from_days(days);  // rejects 2026-02-30 and friends
  if (back.month != m || back.day != d) return std::nullopt;
  return static_cast<Date>(days);
}

std::string format_date(Date date) {
  const Civil c = civil_from_days(date);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                c.day);
  return buffer;
}

std::string format_timestamp(Timestamp at) {
  constexpr std::int64_t kDay = 86400000;
  std::int64_t days = at / kDay;
  std::int64_t ms = at % kDay;
  if (ms < 0) {
    ms += kDay;
    --days;
  }
  const Civil c = civil_from_days(days);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(c.year), c.month, c.day,
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buffer;
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kClient:
      return "client";
    case Role::kTherapist:
      return "therapist";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
  }
  return "client";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::kClient, Role::kTherapist, Role::kSupervisor, Role::kAdmin}) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::kCompleted:
      return "completed";
    case CloseReason::kDroppedOut:
      return "dropped-out";
    case CloseReason::kTransferred:
      return "transferred";
  }
  return "completed";
}

std::optional<CloseReason> parse_close_reason(std::string_view text) {
  for (CloseReason reason :
       {CloseReason::kCompleted, CloseReason::kDroppedOut, CloseReason::kTransferred}) {
    if (to_string(reason) == text) return reason;
  }
  return std::nullopt;
}

std::string_view to_string(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kOk:
      return "ok";
    case AuditOutcome::kDenied:
      return "denied";
    case AuditOutcome::kInvalid:
      return "invalid";
    case AuditOutcome::kNotFound:
      return "not-found";
    case AuditOutcome::kError:
      return "error";
  }
  return "error";
}

Status validate(const User& user) {
  const auto at = user.email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= user.email.size() ||
      user.email.find_first_of(" \t\r\n") != std::string::npos) {
    return invalid("email: not an e-mail address", "email");
  }
  for (char c : user.email) {
    if (c >= 'A' && c <= 'Z') return invalid("email: must be lower-case", "email");
  }
  if (blank(user.display_name)) return invalid("display_name: must not be empty", "display_name");
  if (user.role == Role::kClient && !user.client_id) {
    return invalid("client_id: a client's account must name their client record", "client_id");
  }
  if (user.trainee && user.role != Role::kTherapist) {
    return invalid("trainee: only therapists can be trainees", "trainee");
  }
  return Status::ok();
}

Status validate(const Invitation& invitation) {
  if (invitation.role == Role::kClient) {
    if (!invitation.client)
      return invalid("client: a client's invitation names their record", "client");
    if (!invitation.display_name.empty() || invitation.trainee) {
      return invalid("display_name: a client's invitation takes the name from their record",
                     "display_name");
    }
    return Status::ok();
  }
  if (invitation.client)
    return invalid("client: only a client's invitation names a client", "client");
  if (blank(invitation.display_name)) {
    return invalid("display_name: must not be empty", "display_name");
  }
  if (invitation.trainee && invitation.role != Role::kTherapist) {
    return invalid("trainee: only therapists can be trainees", "trainee");
  }
  return Status::ok();
}

Status validate(const Client& client) {
  if (blank(client.display_name)) return invalid("display_name: must not be empty", "display_name");
  return Status::ok();
}

Status validate(const SessionRecord& session) {
  if (session.number < 1 || session.number > kMaxSessionNumber) {
    return invalid("number: must be a whole number from 1", "number");
  }
  return Status::ok();
}

Status validate(const ProgressDefinition& definition) {
  if (definition.goals.empty()) return invalid("goals: name at least one goal", "goals");
  for (std::size_t i = 0; i < definition.goals.size(); ++i) {
    const GoalDefinition& goal = definition.goals[i];
    const std::string where = "goals[" + std::to_string(i) + "]";
    if (blank(goal.key)) return invalid(where + ".key: must not be empty", where + ".key");
    for (std::size_t j = 0; j < i; ++j) {
      if (definition.goals[j].key == goal.key) {
        return invalid(where + ".key: '" + goal.key + "' is used twice", where + ".key");
      }
    }
    if (blank(goal.text))
      return invalid(where + ".text: say the goal in the client's words", where + ".text");
    if (!(goal.weight > 0) || !std::isfinite(goal.weight)) {
      return invalid(where + ".weight: must be above 0", where + ".weight");
    }
    if (goal.scale == GoalScale::kGas) {
      for (std::size_t level = 0; level < goal.gas_levels.size(); ++level) {
        if (blank(goal.gas_levels[level])) {
          const std::string field = where + ".gas_levels[" + std::to_string(level) + "]";
          return invalid(field + ": describe what each of the five levels looks like", field);
        }
      }
    }
  }
  return Status::ok();
}

Status validate(const GoalRatingRecord& rating, GoalScale scale) {
  const double v = rating.value;
  if (scale == GoalScale::kGbo) {
    if (!(v >= 0.0 && v <= 10.0)) return invalid("value: a goal rating is from 0 to 10", "value");
  } else if (!(v >= -2.0 && v <= 2.0) || v != std::round(v)) {
    return invalid("value: a GAS level is -2, -1, 0, 1 or 2", "value");
  }
  return Status::ok();
}

Status validate(const AllianceRating& rating) {
  if (!(rating.value >= 0.0 && rating.value <= 10.0)) {
    return invalid("value: an alliance rating is from 0 to 10", "value");
  }
  return Status::ok();
}

}  // namespace tandem::core
