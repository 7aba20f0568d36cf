#include "sdk/src/propagation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sdk/src/json.h"
#include "sdk/src/random.h"

namespace sentry::internal {
namespace {

bool IsLowerHex(absl::string_view id, size_t size) {
  if (id.size() != size) return false;
  bool nonzero = false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

// Hex ids arrive in either case; they are kept in lowercase.
std::string Lower(absl::string_view id) { return absl::AsciiStrToLower(id); }

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates, beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    if (i + 2 >= value.size()) return std::nullopt;
    const int high = HexValue(value[i + 1]);
    const int low = HexValue(value[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

void PercentEncode(absl::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : value) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out->push_back(c);
    } else {
      const unsigned char u = static_cast<unsigned char>(c);
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xf]);
    }
  }
}

bool ParseUnit(absl::string_view text, bool closed, double* value) {
  double v;
  if (!absl::SimpleAtod(text, &v) || !(v >= 0) || (closed ? v > 1 : v >= 1)) {
    return false;
  }
  *value = v;
  return true;
}

// Whether a DSC field's value has the form Sentry gives it.
bool IsValidDscValue(absl::string_view key, absl::string_view value) {
  double unit;
  if (key == "trace_id") return IsLowerHex(Lower(value), 32);
  if (key == "sample_rand") return ParseUnit(value, /*closed=*/false, &unit);
  if (key == "sample_rate") return ParseUnit(value, /*closed=*/true, &unit);
  if (key == "sampled") return value == "true" || value == "false";
  if (key == "org_id") {
    uint64_t id;
    return absl::SimpleAtoi(value, &id);
  }
  return true;
}

double Truncate6(double value) { return std::floor(value * 1e6) / 1e6; }

// A sample_rand as it is propagated: 6 decimals, truncated so that it stays
// below 1 (and the decision made with it is the one others make).
double NewSampleRand(double low = 0, double high = 1) {
  return std::min(Truncate6(low + RandomUnit() * (high - low)), 0.999999);
}

}  // namespace

bool IsTraceId(absl::string_view id) { return IsLowerHex(id, 32); }
bool IsSpanId(absl::string_view id) { return IsLowerHex(id, 16); }

std::string FormatRate(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6f", Truncate6(value));
  // Trailing zeros trimmed (0.250000 -> 0.25; 1.000000 -> 1).
  std::string text(buffer);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

absl::string_view Dsc::Get(absl::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "";
}

void Dsc::Set(absl::string_view key, std::string value) {
  json_.clear();
  baggage_.clear();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first != key) continue;
    if (value.empty()) {
      fields.erase(it);
    } else {
      it->second = std::move(value);
    }
    return;
  }
  if (!value.empty()) fields.emplace_back(std::string(key), std::move(value));
}

void Dsc::Freeze() {
  json_ = ToJson();
  baggage_ = ToBaggage();
}

std::string Dsc::ToJson() const {
  if (!json_.empty()) return json_;
  std::string json = "{";
  for (const auto& [key, value] : fields) {
    if (json.size() > 1) json.push_back(',');
    json.append(JsonQuote(key));
    json.push_back(':');
    json.append(JsonQuote(value));
  }
  json.push_back('}');
  return json;
}

std::string Dsc::ToBaggage() const {
  if (!baggage_.empty()) return baggage_;
  std::string baggage;
  for (const auto& [key, value] : fields) {
    if (!baggage.empty()) baggage.push_back(',');
    baggage.append("sentry-");
    baggage.append(key);
    baggage.push_back('=');
    PercentEncode(value, &baggage);
  }
  return baggage;
}

PropagationContext PropagationContext::New() {
  PropagationContext context;
  context.trace_id = NewTraceId();
  context.span_id = NewSpanId();
  context.sample_rand = NewSampleRand();
  return context;
}

std::optional<TraceParent> ParseSentryTrace(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  const std::vector<absl::string_view> parts = absl::StrSplit(value, '-');
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  TraceParent parsed;
  parsed.trace_id = Lower(parts[0]);
  parsed.span_id = Lower(parts[1]);
  if (!IsTraceId(parsed.trace_id) || !IsSpanId(parsed.span_id)) {
    return std::nullopt;
  }
  if (parts.size() == 3) {
    if (parts[2] == "1") {
      parsed.sampled = true;
    } else if (parts[2] == "0") {
      parsed.sampled = false;
    } else if (parts[2] != "d") {  // "d": deferred, as no flag.
      return std::nullopt;
    }
  }
  return parsed;
}

std::optional<TraceParent> ParseTraceparent(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  const std::vector<absl::string_view> parts = absl::StrSplit(value, '-');
  // Version 00 has exactly four parts; later versions may add more.
  if (parts.size() < 4 || parts[0].size() != 2 || parts[3].size() != 2) {
    return std::nullopt;
  }
  const int v_high = HexValue(parts[0][0]), v_low = HexValue(parts[0][1]);
  const int f_high = HexValue(parts[3][0]), f_low = HexValue(parts[3][1]);
  if (v_high < 0 || v_low < 0 || f_high < 0 || f_low < 0) return std::nullopt;
  const int version = v_high * 16 + v_low;
  if (version == 0xff || (version == 0 && parts.size() != 4)) {
    return std::nullopt;
  }
  TraceParent parsed;
  parsed.trace_id = Lower(parts[1]);
  parsed.span_id = Lower(parts[2]);
  if (!IsTraceId(parsed.trace_id) || !IsSpanId(parsed.span_id)) {
    return std::nullopt;
  }
  parsed.sampled = ((f_high * 16 + f_low) & 1) != 0;
  return parsed;
}

std::string FormatSentryTrace(absl::string_view trace_id,
                              absl::string_view span_id,
                              std::optional<bool> sampled) {
  std::string header;
  header.reserve(trace_id.size() + 1 + span_id.size() + 2);
  header.append(trace_id.data(), trace_id.size());
  header.push_back('-');
  header.append(span_id.data(), span_id.size());
  if (sampled.has_value()) header.append(*sampled ? "-1" : "-0");
  return header;
}

std::string FormatTraceparent(absl::string_view trace_id,
                              absl::string_view span_id, bool sampled) {
  return absl::StrCat("00-", trace_id, "-", span_id, sampled ? "-01" : "-00");
}

std::optional<Dsc> ParseBaggage(absl::string_view baggage) {
  if (baggage.size() > kMaxBaggageBytes) {
    baggage = baggage.substr(0, kMaxBaggageBytes);
  }
  Dsc dsc;
  size_t members = 0;
  for (absl::string_view member : absl::StrSplit(baggage, ',')) {
    if (++members > kMaxBaggageMembers) break;
    // Properties (";...") are not part of the value.
    member = member.substr(0, member.find(';'));
    const size_t eq = member.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::string_view key = absl::StripAsciiWhitespace(member.substr(0, eq));
    if (!absl::ConsumePrefix(&key, "sentry-")) continue;
    if (key.empty()) continue;
    auto value =
        PercentDecode(absl::StripAsciiWhitespace(member.substr(eq + 1)));
    if (!value || value->empty() || !IsValidUtf8(*value) || !IsValidUtf8(key)) {
      continue;
    }
    if (!dsc.Get(key).empty()) continue;  // The first one wins.
    if (key == "trace_id") *value = Lower(*value);
    if (!IsValidDscValue(key, *value)) continue;
    dsc.fields.emplace_back(std::string(key), *std::move(value));
  }
  if (dsc.fields.empty()) return std::nullopt;
  return dsc;
}

std::string MergeBaggage(absl::string_view existing, const Dsc& dsc) {
  // Encoded once when the DSC is frozen (every shared one is).
  std::string encoded;
  absl::string_view ours = dsc.frozen_baggage();
  if (ours.empty() && !dsc.fields.empty()) {
    encoded = dsc.ToBaggage();
    ours = encoded;
  }
  if (absl::StripAsciiWhitespace(existing).empty()) {
    // No other vendor's members: ours alone, when they fit.
    if (dsc.fields.size() <= kMaxBaggageMembers &&
        ours.size() <= kMaxBaggageBytes) {
      return std::string(ours);
    }
  }
  std::string merged;
  merged.reserve(existing.size() + 1 + ours.size());
  size_t members = 0;
  for (absl::string_view member : absl::StrSplit(existing, ',')) {
    member = absl::StripAsciiWhitespace(member);
    if (member.empty() || absl::StartsWith(member, "sentry-")) continue;
    if (members + 1 > kMaxBaggageMembers ||
        merged.size() + member.size() + 1 > kMaxBaggageBytes) {
      break;
    }
    if (!merged.empty()) merged.push_back(',');
    merged.append(member.data(), member.size());
    ++members;
  }
  // Ours whole when they fit (the usual case).
  if (members + dsc.fields.size() <= kMaxBaggageMembers &&
      merged.size() + 1 + ours.size() <= kMaxBaggageBytes) {
    if (!merged.empty() && !ours.empty()) merged.push_back(',');
    merged.append(ours.data(), ours.size());
    return merged;
  }
  for (const auto& [key, value] : dsc.fields) {
    std::string member = absl::StrCat("sentry-", key, "=");
    PercentEncode(value, &member);
    if (members + 1 > kMaxBaggageMembers ||
        merged.size() + member.size() + 1 > kMaxBaggageBytes) {
      break;
    }
    if (!merged.empty()) merged.push_back(',');
    merged.append(member);
    ++members;
  }
  return merged;
}

std::optional<PropagationContext> ContinueFromHeaders(
    const IncomingHeaders& headers, std::optional<uint64_t> own_org_id,
    bool strict) {
  std::optional<TraceParent> parent = ParseSentryTrace(headers.sentry_trace);
  if (!parent && absl::StripAsciiWhitespace(headers.sentry_trace).empty()) {
    parent = ParseTraceparent(headers.traceparent);
  }
  if (!parent) return std::nullopt;
  std::optional<Dsc> dsc = ParseBaggage(headers.baggage);
  // A DSC of another trace is not this one's.
  if (dsc && !dsc->Get("trace_id").empty() &&
      dsc->Get("trace_id") != parent->trace_id) {
    dsc.reset();
  }
  std::optional<uint64_t> incoming_org;
  if (dsc) {
    uint64_t org;
    if (absl::SimpleAtoi(dsc->Get("org_id"), &org)) incoming_org = org;
  }
  if (incoming_org && own_org_id && *incoming_org != *own_org_id) {
    return std::nullopt;
  }
  if (strict && incoming_org.has_value() != own_org_id.has_value()) {
    return std::nullopt;
  }

  PropagationContext context;
  context.trace_id = parent->trace_id;
  context.parent_span_id = parent->span_id;
  context.span_id = NewSpanId();
  context.sampled = parent->sampled;
  double rate;
  if (dsc && ParseUnit(dsc->Get("sample_rate"), /*closed=*/true, &rate)) {
    context.sample_rate = rate;
  }
  double rand;
  if (dsc && ParseUnit(dsc->Get("sample_rand"), /*closed=*/false, &rand)) {
    context.sample_rand = rand;
  } else if (context.sampled && context.sample_rate &&
             (*context.sampled ? *context.sample_rate > 0
                               : *context.sample_rate < 1)) {
    // Consistent with the incoming decision: below the rate if sampled.
    const double r = *context.sample_rate;
    context.sample_rand =
        *context.sampled ? NewSampleRand(0, r) : NewSampleRand(r, 1);
  } else {
    context.sample_rand = NewSampleRand();
  }
  if (dsc) {
    // Frozen as received; the sample_rand it propagates is the one used.
    if (dsc->Get("sample_rand").empty()) {
      dsc->Set("sample_rand", FormatRate(context.sample_rand));
    }
    dsc->Freeze();
    context.dsc = std::make_shared<const Dsc>(*std::move(dsc));
  }
  return context;
}

Dsc HeadDsc(const HeadDscFields& f) {
  Dsc dsc;
  dsc.Set("trace_id", std::string(f.trace_id));
  dsc.Set("public_key", std::string(f.public_key));
  dsc.Set("release", std::string(f.release));
  dsc.Set("environment", std::string(f.environment));
  if (f.sample_rate) dsc.Set("sample_rate", FormatRate(*f.sample_rate));
  dsc.Set("sample_rand", FormatRate(f.sample_rand));
  if (f.sampled) dsc.Set("sampled", *f.sampled ? "true" : "false");
  dsc.Set("transaction", std::string(f.transaction));
  if (f.org_id) dsc.Set("org_id", absl::StrCat(*f.org_id));
  return dsc;
}

}  // namespace sentry::internal
