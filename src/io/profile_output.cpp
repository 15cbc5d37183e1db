#include "io/profile_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace tandem::io {

using core::fail;
using core::Result;
using core::Status;
using nlohmann::json;

namespace {

const char* audience_key(Audience who) { return who == Audience::kClient ? "client" : "therapist"; }

json number_or_null(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

json evidence_to_json(const core::Evidence& evidence) {
  json values = json::object();
  for (const auto& item : evidence.values)
    values[std::string(item.name)] = number_or_null(item.value);
  return json{{"rule", std::string(evidence.rule)},
              {"first_session", evidence.first_session},
              {"last_session", evidence.last_session},
              {"values", values}};
}

std::string dimension_kind_key(core::DimensionKind kind) {
  switch (kind) {
    case core::DimensionKind::kSymptoms:
      return "symptoms";
    case core::DimensionKind::kGoal:
      return "goal";
    case core::DimensionKind::kAlliance:
      return "alliance";
    case core::DimensionKind::kEngagement:
      return "engagement";
  }
  return "symptoms";
}

std::string trend_word(double trend) {
  if (std::isnan(trend)) return "insufficient-data";
  if (trend < 0) return "converging";
  if (trend > 0) return "diverging";
  return "stable";
}

}  // namespace

std::string format_for_people(double value) {
  if (std::isnan(value)) return "NA";
  if (std::isinf(value)) return value > 0 ? "∞" : "-∞";
  if (value == std::round(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  std::string text = fmt::format("{:.2f}", value);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string fill_placeholders(std::string_view text, const core::Evidence& evidence,
                              const std::map<std::string, std::string>& extra) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    const std::string name(text.substr(open + 1, close - open - 1));
    if (auto it = extra.find(name); it != extra.end()) {
      out += it->second;
    } else if (name == "first_session") {
      out += std::to_string(evidence.first_session);
    } else if (name == "last_session") {
      out += std::to_string(evidence.last_session);
    } else if (auto value = evidence.values.get(name)) {
      out += format_for_people(*value);
    } else {
      out.append(text.substr(open, close - open + 1));  // unknown: left visible for review
    }
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

Result<Texts> Texts::parse(std::string_view text, std::string_view source) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(Status::invalid_argument(fmt::format("{}: not a JSON object", source)));
  }
  Texts texts;
  // Flatten every {"client": ..., "therapist": ...} leaf under its dotted path.
  std::vector<std::pair<std::string, const json*>> stack;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!it.key().empty() && it.key()[0] != '_') stack.emplace_back(it.key(), &*it);
  }
  while (!stack.empty()) {
    auto [path, node] = stack.back();
    stack.pop_back();
    if (!node->is_object()) {
      return fail(
          Status::invalid_argument(fmt::format("{}: {}: expected an object", source, path), path));
    }
    for (auto it = node->begin(); it != node->end(); ++it) {
      const std::string key = path + "." + it.key();
      if (it->is_string()) {
        texts.entries_[key] = it->get<std::string>();
      } else {
        stack.emplace_back(key, &*it);
      }
    }
  }
  return texts;
}

Result<Texts> Texts::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Status::not_found(path + ": cannot open the texts file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

std::string Texts::lookup(const std::string& key, Audience who) const {
  auto it = entries_.find(key + "." + audience_key(who));
  return it == entries_.end() ? std::string() : it->second;
}

std::string Texts::pattern(const core::PatternFinding& finding, Audience who) const {
  const std::string text =
      lookup(fmt::format("patterns.{}", core::to_string(finding.pattern)), who);
  return fill_placeholders(text, finding.evidence, {});
}

std::string Texts::signal(const core::Signal& signal, Audience who) const {
  const std::string text = lookup(fmt::format("signals.{}", core::to_string(signal.type)), who);
  std::map<std::string, std::string> extra = {{"session", std::to_string(signal.session)},
                                              {"reason", signal.reason}};
  if (signal.subject.rfind("goal:", 0) == 0) extra["goal"] = signal.subject.substr(5);
  extra["trend_word"] = trend_word(signal.evidence.values.at("trend"));
  return fill_placeholders(text, signal.evidence, extra);
}

std::string Texts::status(const core::Dimension& dimension, std::string_view instrument,
                          Audience who) const {
  const std::string text = lookup(fmt::format("statuses.{}.{}", dimension_kind_key(dimension.kind),
                                              core::to_string(dimension.status)),
                                  who);
  std::map<std::string, std::string> extra = {{"dimension", dimension.name},
                                              {"instrument", std::string(instrument)}};
  if (dimension.name.rfind("goal:", 0) == 0) extra["goal"] = dimension.name.substr(5);
  return fill_placeholders(text, dimension.evidence, extra);
}

json profile_to_json(const core::Profile& profile, std::string_view instrument,
                     const Texts* texts) {
  json dimensions = json::object();
  json dimension_evidence = json::object();
  for (const auto& d : profile.dimensions) {
    dimensions[d.name] = std::string(core::to_string(d.status));
    dimension_evidence[d.name] = evidence_to_json(d.evidence);
  }
  json patterns = json::array();
  json pattern_evidence = json::object();
  for (const auto& p : profile.patterns) {
    patterns.push_back(std::string(core::to_string(p.pattern)));
    pattern_evidence[std::string(core::to_string(p.pattern))] = evidence_to_json(p.evidence);
  }
  json signals = json::array();
  for (const auto& s : profile.signals) {
    json signal = {{"type", std::string(core::to_string(s.type))},
                   {"session", s.session},
                   {"reason", s.reason},
                   {"evidence", evidence_to_json(s.evidence)}};
    if (!s.subject.empty()) signal["subject"] = s.subject;
    signals.push_back(std::move(signal));
  }
  json out = {{"id", profile.id},
              {"instrument", std::string(instrument)},
              {"dimensions", dimensions},
              {"patterns", patterns},
              {"signals", signals},
              {"dropout_risk", number_or_null(profile.dropout_risk)},
              {"evidence", {{"dimensions", dimension_evidence}, {"patterns", pattern_evidence}}}};
  if (texts != nullptr) {
    json rendered = {
        {"dimensions", json::object()}, {"patterns", json::object()}, {"signals", json::array()}};
    for (const auto& d : profile.dimensions) {
      rendered["dimensions"][d.name] = {
          {"client", texts->status(d, instrument, Audience::kClient)},
          {"therapist", texts->status(d, instrument, Audience::kTherapist)}};
    }
    for (const auto& p : profile.patterns) {
      rendered["patterns"][std::string(core::to_string(p.pattern))] = {
          {"client", texts->pattern(p, Audience::kClient)},
          {"therapist", texts->pattern(p, Audience::kTherapist)}};
    }
    for (const auto& s : profile.signals) {
      rendered["signals"].push_back({{"type", std::string(core::to_string(s.type))},
                                     {"session", s.session},
                                     {"client", texts->signal(s, Audience::kClient)},
                                     {"therapist", texts->signal(s, Audience::kTherapist)}});
    }
    out["texts"] = std::move(rendered);
  }
  return out;
}

std::string dimensions_cell(const core::Profile& profile) {
  std::string out;
  for (const auto& d : profile.dimensions) {
    if (!out.empty()) out += ';';
    out += d.name;
    out += '=';
    out += core::to_string(d.status);
  }
  return out;
}

std::string patterns_cell(const core::Profile& profile) {
  std::string out;
  for (const auto& p : profile.patterns) {
    if (!out.empty()) out += ';';
    out += core::to_string(p.pattern);
  }
  return out;
}

std::string signals_cell(const core::Profile& profile) {
  std::string out;
  for (const auto& s : profile.signals) {
    if (!out.empty()) out += " | ";
    out += fmt::format("{}@{}: {}", core::to_string(s.type), s.session, s.reason);
  }
  return out;
}

}  // namespace tandem::io
