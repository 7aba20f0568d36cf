#include "sdk/src/os_context.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/string_view.h"

namespace sentry::internal {
namespace {

google::protobuf::Value StringValue(absl::string_view s) {
  google::protobuf::Value v;
  v.set_string_value(std::string(s));
  return v;
}

}  // namespace

google::protobuf::Struct ReadOsContext() {
  google::protobuf::Struct os;
  auto& fields = *os.mutable_fields();
  struct utsname uts;
  if (uname(&uts) == 0) {
    fields["name"] = StringValue(uts.sysname);
    fields["version"] = StringValue(uts.release);
    fields["kernel_version"] = StringValue(uts.version);
  }
  std::ifstream release("/etc/os-release");
  std::string line;
  google::protobuf::Struct distribution;
  auto& dist = *distribution.mutable_fields();
  while (std::getline(release, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    absl::string_view key(line.data(), eq);
    absl::string_view value = absl::string_view(line).substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "ID") dist["name"] = StringValue(value);
    if (key == "VERSION_ID") dist["version"] = StringValue(value);
    if (key == "PRETTY_NAME") dist["pretty_name"] = StringValue(value);
  }
  if (!dist.empty()) {
    *fields["distribution"].mutable_struct_value() = std::move(distribution);
  }
  return os;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

}  // namespace sentry::internal
