// The SDK's name and version as reported to Sentry (event "sdk", the
// X-Sentry-Auth "sentry_client" and the User-Agent).
//
//   std::string agent = absl::StrCat(sentry::kSdkName, "/",
//   sentry::kSdkVersion);
#ifndef SENTRY_VERSION_H_
#define SENTRY_VERSION_H_

namespace sentry {

inline constexpr char kSdkName[] = "sentry.cpp";
inline constexpr char kSdkVersion[] = "0.1.0";

}  // namespace sentry

#endif  // SENTRY_VERSION_H_
