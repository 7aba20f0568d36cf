#include "sentry/integrations/crash.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/debugging/stacktrace.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integrations/crash/src/crash_message.h"
#include "integrations/crash/src/oom_record.h"
#include "sdk/src/apply_scopes.h"
#include "sdk/src/cache_layout.h"
#include "sdk/src/crash_scope.h"
#include "sdk/src/current_hubs.h"
#include "sdk/src/fatal.h"
#include "sdk/src/log.h"
#include "sdk/src/message_json.h"
#include "sdk/src/os_context.h"
#include "sdk/src/propagation.h"
#include "sdk/src/random.h"
#include "sdk/src/scrubber.h"
#include "sdk/src/sdk_thread.h"
#include "sdk/src/stacktrace.h"
#include "sentry/client.h"
#include "sentry/hub.h"
#include "sentry/version.h"

#ifndef OPENSSL_IS_BORINGSSL
#error "sentry-cpp must be compiled against BoringSSL's headers"
#endif

namespace sentry {
namespace {

using internal::crash::CrashMessage;
using internal::crash::kPrefixMax;
using internal::crash::SignalDescription;
using internal::crash::SignalName;
using Prepared = internal::crash::PreparedEvent;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
constexpr size_t kOutMax = kPrefixMax + 64 * 1024;
constexpr int kMaxFrames = 128;

// Prepared ahead of time; read by the signal handler (and by the handler
// process, out of this process's memory).
Prepared g_prepared[2];
std::atomic<int> g_active{-1};
char g_dir[4096];
char g_dsn[2048];
char g_event[kOutMax];
char g_envelope[kOutMax + 4096];
struct sigaction g_previous[65];
std::atomic<bool> g_in_handler{false};
std::atomic<bool> g_installed{false};

// Appends to a fixed buffer without allocating (signal-safe).
struct Out {
  char* data;
  size_t cap;
  size_t len = 0;
  void Add(const char* s, size_t n) {
    if (len + n > cap) n = cap - len;
    std::memcpy(data + len, s, n);
    len += n;
  }
  void Add(const char* s) { Add(s, std::strlen(s)); }
  void Hex(uint64_t v, bool prefix = true) {
    char buf[20];
    int i = 0;
    do {
      buf[i++] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v != 0);
    if (prefix) Add("0x", 2);
    while (i > 0) Add(&buf[--i], 1);
  }
  void Dec(uint64_t v, int width = 0) {
    char buf[24];
    int i = 0;
    do {
      buf[i++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (i < width) buf[i++] = '0';
    while (i > 0) Add(&buf[--i], 1);
  }
};

_Unwind_Reason_Code CountFrame(_Unwind_Context*, void* arg) {
  ++*static_cast<int*>(arg);
  return _URC_NO_REASON;
}

void WriteCrash(int sig, const siginfo_t* info, void* context) {
  const int active = g_active.load(std::memory_order_acquire);
  if (active < 0 || g_dir[0] == '\0') return;
  const Prepared& p = g_prepared[active];
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);

  Out event{g_event, sizeof(g_event)};
  event.Add(p.prefix, p.prefix_len);
  event.Add("\"event_id\":\"");
  event.Add(p.event_id, 32);
  event.Add("\",\"timestamp\":");
  event.Dec(static_cast<uint64_t>(now.tv_sec));
  event.Add(".");
  event.Dec(static_cast<uint64_t>(now.tv_nsec / 1000), 6);
  event.Add(",\"exception\":{\"values\":[{\"type\":\"");
  event.Add(SignalName(sig));
  event.Add("\",\"value\":\"");
  event.Add(SignalDescription(sig));
  event.Add(
      "\",\"mechanism\":{\"type\":\"signalhandler\",\"handled\":false,"
      "\"synthetic\":true,\"meta\":{\"signal\":{\"number\":");
  event.Dec(static_cast<uint64_t>(sig));
  event.Add(",\"code\":");
  event.Dec(static_cast<uint64_t>(
      info != nullptr && info->si_code > 0 ? info->si_code : 0));
  event.Add(",\"name\":\"");
  event.Add(SignalName(sig));
  event.Add("\"}}},\"stacktrace\":{\"frames\":[");
  void* pcs[kMaxFrames];
  const int depth = internal::UnwindFromSignal(context, pcs, kMaxFrames);
  for (int i = depth - 1; i >= 0; --i) {  // Oldest first.
    event.Add("{\"instruction_addr\":\"");
    event.Hex(reinterpret_cast<uintptr_t>(pcs[i]));
    event.Add(i == 0 ? "\"}" : "\"},");
  }
  event.Add("]}}]}}");

  Out envelope{g_envelope, sizeof(g_envelope)};
  envelope.Add("{\"event_id\":\"");
  envelope.Add(p.event_id, 32);
  envelope.Add("\"");
  if (g_dsn[0] != '\0') {
    envelope.Add(",\"dsn\":\"");
    envelope.Add(g_dsn);
    envelope.Add("\"");
  }
  if (p.trace[0] != '\0') {
    envelope.Add(",\"trace\":");
    envelope.Add(p.trace);
  }
  envelope.Add(",\"sdk\":{\"name\":\"");
  envelope.Add(kSdkName);
  envelope.Add("\",\"version\":\"");
  envelope.Add(kSdkVersion);
  envelope.Add("\"}");
  envelope.Add("}\n{\"type\":\"event\",\"length\":");
  envelope.Dec(event.len);
  envelope.Add("}\n");
  envelope.Add(g_event, event.len);
  envelope.Add("\n");

  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(g_envelope), envelope.len, digest);
  char name_buf[256];
  const size_t name_len = internal::cache_layout::SpoolFileNameSignalSafe(
      static_cast<uint64_t>(now.tv_sec) * 1000000 +
          static_cast<uint64_t>(now.tv_nsec / 1000),
      p.random, digest, name_buf, sizeof(name_buf));
  if (name_len == 0) return;
  Out name{name_buf, sizeof(name_buf)};
  name.len = name_len;
  char path_buf[4096 + 300], tmp_buf[4096 + 310];
  Out path{path_buf, sizeof(path_buf) - 1}, tmp{tmp_buf, sizeof(tmp_buf) - 1};
  path.Add(g_dir);
  path.Add("/");
  path.Add(name_buf, name.len);
  path_buf[path.len] = '\0';
  tmp.Add(g_dir);
  tmp.Add("/.");  // cache_layout::TemporaryName
  tmp.Add(name_buf, name.len);
  tmp.Add(".tmp");
  tmp_buf[tmp.len] = '\0';
  const int fd = ::open(tmp_buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t written = 0;
  while (written < envelope.len) {
    const ssize_t n = ::write(fd, g_envelope + written, envelope.len - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (written == envelope.len) {
    ::rename(tmp_buf, path_buf);
  } else {
    ::unlink(tmp_buf);
  }
  // Tells the next run that this process's session crashed.
  char marker_name[64];
  const size_t marker_len = internal::cache_layout::CrashMarkerNameSignalSafe(
      ::getpid(), marker_name, sizeof(marker_name));
  char marker_buf[4096 + 80];
  Out marker{marker_buf, sizeof(marker_buf) - 1};
  marker.Add(g_dir);
  marker.Add("/");
  marker.Add(marker_name, marker_len);
  marker_buf[marker.len] = '\0';
  const int marker_fd =
      ::open(marker_buf, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (marker_fd >= 0) ::close(marker_fd);
}

// The handler process (see crash_message.h); its pid is 0 when there is
// none (the crash is then written in-process).
std::atomic<int> g_handler_pid{0};
int g_owner_pid = 0;    // The process that started it (not a fork child).
int g_request_fd = -1;  // To the handler.
int g_reply_fd = -1;    // From the handler.
int g_timeout_ms = 5000;
size_t g_max_breadcrumbs = 100;
CrashMessage g_message;
char g_scope[internal::crash::kScopeMax];
char g_dsc[internal::crash::kTraceMax];
// While the crashing thread writes its scope: its id, and where a fault
// inside (a scope left half-changed by a stopped thread) jumps back to.
std::atomic<int> g_scope_writer{0};
sigjmp_buf g_scope_fault;
std::atomic<int> g_crashing_tid{0};

int ThreadId() { return static_cast<int>(::syscall(SYS_gettid)); }

// The handler's next byte within the timeout, or 0.
char AwaitHandler() {
  pollfd p{g_reply_fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, g_timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready != 1) return 0;
    char byte = 0;
    const ssize_t n = ::read(g_reply_fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    return n == 1 ? byte : 0;
  }
}

// The crash, handed to the handler process; false when it did not take it
// (then the crash is written in-process). Async-signal-safe but for
// CrashScope (see its header), whose faults jump back here.
bool ReportToHandler(int sig, const siginfo_t* info, void* context) {
  if (g_handler_pid.load(std::memory_order_acquire) <= 0 ||
      ::getpid() != g_owner_pid) {
    return false;  // None, or this is a fork child of its program.
  }
  CrashMessage& m = g_message;
  m.pid = ::getpid();
  m.tid = ThreadId();
  m.signal = sig;
  m.code = info != nullptr ? info->si_code : 0;
  m.fault_addr =
      info != nullptr ? reinterpret_cast<uintptr_t>(info->si_addr) : 0;
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  m.micros = static_cast<uint64_t>(now.tv_sec) * 1000000 +
             static_cast<uint64_t>(now.tv_nsec / 1000);
  std::memcpy(&m.context, context, sizeof(m.context));
  const int active = g_active.load(std::memory_order_acquire);
  m.prepared =
      active < 0 ? 0 : reinterpret_cast<uintptr_t>(&g_prepared[active]);
  m.scope = reinterpret_cast<uintptr_t>(g_scope);
  m.dsc = reinterpret_cast<uintptr_t>(g_dsc);
  m.scope_len = 0;
  m.dsc_len = 0;
  m.magic = internal::crash::kMagic;
  if (::write(g_request_fd, &internal::crash::kCrash, 1) != 1) return false;
  if (AwaitHandler() != internal::crash::kStopped) return false;
  // Every other thread is stopped now: this thread's scope, as it is.
  g_scope_writer.store(m.tid, std::memory_order_release);
  if (sigsetjmp(g_scope_fault, 1) == 0) {
    m.scope_len = internal::CrashScope::Write(g_scope, sizeof(g_scope),
                                              g_max_breadcrumbs);
    m.dsc_len = internal::CrashScope::WriteDsc(g_dsc, sizeof(g_dsc));
  } else {
    m.scope_len = 0;  // It faulted: the main hub's, rendered ahead, goes.
    m.dsc_len = 0;
  }
  g_scope_writer.store(0, std::memory_order_release);
  if (::write(g_request_fd, &internal::crash::kScope, 1) != 1) return false;
  return AwaitHandler() == internal::crash::kDone;
}

void OnSignal(int sig, siginfo_t* info, void* context) {
  const int tid = ThreadId();
  if (g_scope_writer.load(std::memory_order_acquire) == tid) {
    siglongjmp(g_scope_fault, 1);  // A fault while writing the scope.
  }
  int expected = 0;
  if (g_crashing_tid.compare_exchange_strong(expected, tid)) {
    if (!g_in_handler.exchange(true) && !internal::FatalAlreadyReported() &&
        !ReportToHandler(sig, info, context)) {
      WriteCrash(sig, info, context);
    }
  } else if (expected != tid) {
    // Another thread is reporting its crash: this one waits for the
    // process to end (bounded, in case it does not).
    timespec wait{30, 0};
    while (::nanosleep(&wait, &wait) != 0 && errno == EINTR) {
    }
  }
  // The previous handler (or the default action) ends the process.
  sigaction(sig, &g_previous[sig], nullptr);
  raise(sig);
}

// What the published event was rendered from: the snapshots are kept so that
// their storage cannot be reused, which makes "same address" mean "same
// contents" (scopes are copy-on-write).
struct RenderedFrom {
  internal::CapturedScopes scopes;
  std::vector<uintptr_t> module_addrs;
  bool valid = false;
};

// Renders the main hub's scope into the inactive buffer, then publishes it;
// does nothing when neither scope nor the loaded modules changed since
// `last`.
void Prepare(const Options& options, const internal::Scrubber& scrubber,
             RenderedFrom& last) {
  internal::CapturedScopes scopes;
  Hub::Main()->ConfigureScope(
      [&](Scope& scope) { scopes = internal::CapturedScopes::Of(&scope); });
  const std::vector<internal::Module> modules = internal::LoadedModules();
  std::vector<uintptr_t> module_addrs;
  module_addrs.reserve(modules.size());
  for (const auto& module : modules) module_addrs.push_back(module.image_addr);
  if (last.valid && scopes.SameAs(last.scopes) &&
      module_addrs == last.module_addrs) {
    return;
  }
  last = {scopes, module_addrs, true};

  protocol::Event event;
  event.set_platform("native");
  event.set_level("fatal");
  if (!options.release.empty()) event.set_release(options.release);
  event.set_environment(options.environment.empty() ? "production"
                                                    : options.environment);
  if (!options.dist.empty()) event.set_dist(options.dist);
  event.mutable_sdk()->set_name(kSdkName);
  event.mutable_sdk()->set_version(kSdkVersion);
  event.set_server_name(options.server_name.empty() ? internal::HostName()
                                                    : options.server_name);
  const internal::AppliedScopes applied = internal::ApplyScopes(
      scopes, static_cast<size_t>(options.max_breadcrumbs),
      /*copy_breadcrumbs=*/true, event);
  scrubber.Scrub(event);
  std::string trace;  // The DSC, as every other event's envelope has it.
  if (applied.dsc != nullptr) {
    trace = applied.dsc->ToJson();
  } else if (!applied.trace_id.empty()) {
    auto dsn = Dsn::Parse(options.dsn);
    internal::HeadDscFields fields;
    fields.trace_id = applied.trace_id;
    fields.sample_rand = applied.sample_rand;
    if (dsn.ok()) fields.public_key = dsn->public_key();
    fields.release = options.release;
    fields.environment = event.environment();
    fields.org_id = options.org_id ? options.org_id
                    : dsn.ok()     ? dsn->org_id()
                                   : std::nullopt;
    trace = internal::HeadDsc(fields).ToJson();
  }
  event.set_level("fatal");  // Whatever level a scope set.
  // What every other event carries: the "os" context, unless a scope set
  // its own.
  static const auto* const os_context =
      new google::protobuf::Struct(internal::ReadOsContext());
  event.mutable_contexts()->insert({"os", *os_context});
  auto* images = event.mutable_debug_meta()->mutable_images();
  for (const auto& module : modules) {
    auto* image = images->Add();
    image->set_type("elf");
    image->set_code_file(module.code_file);
    image->set_image_addr(absl::StrCat("0x", absl::Hex(module.image_addr)));
    image->set_image_size(module.image_size);
    image->set_code_id(module.code_id);
    image->set_debug_id(module.debug_id);
  }
  std::string json = internal::MessageToJson(event);
  if (json.size() < 2 || json.size() + 1 > kPrefixMax) return;
  json.back() = ',';  // Replaces the closing brace: fields follow.
  const int next = g_active.load(std::memory_order_relaxed) == 0 ? 1 : 0;
  Prepared& p = g_prepared[next];
  std::memcpy(p.prefix, json.data(), json.size());
  p.prefix_len = json.size();
  if (trace.size() < sizeof(p.trace)) {
    std::memcpy(p.trace, trace.c_str(), trace.size() + 1);
  } else {
    p.trace[0] = '\0';
  }
  const std::string id = internal::NewEventId();
  std::memcpy(p.event_id, id.data(), 32);
  const std::string random = internal::RandomHex(4);
  std::memcpy(p.random, random.data(), 8);
  g_active.store(next, std::memory_order_release);
}

// The handler executable: the option's, else `sentry-crash-handler` next to
// the program, else in the program's Bazel runfiles (where a cc_binary that
// depends on //integrations/crash finds it); "" when none is found.
std::string FindHandler(const std::string& configured) {
  if (!configured.empty()) {
    return ::access(configured.c_str(), X_OK) == 0 ? configured : "";
  }
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return "";
  const std::string program(exe, static_cast<size_t>(n));
  const std::string beside =
      program.substr(0, program.rfind('/') + 1) + "sentry-crash-handler";
  if (::access(beside.c_str(), X_OK) == 0) return beside;
  std::vector<std::string> roots;
  for (const char* env : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* root = std::getenv(env)) roots.push_back(root);
  }
  roots.push_back(program + ".runfiles");
  for (const std::string& root : roots) {
    DIR* dir = ::opendir(root.c_str());
    if (dir == nullptr) continue;
    std::string found;
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      const std::string candidate = absl::StrCat(
          root, "/", entry->d_name, "/integrations/crash/sentry-crash-handler");
      if (::access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
    }
    ::closedir(dir);
    if (!found.empty()) return found;
  }
  return "";
}

// Starts the handler process for this one (see crash_message.h); false,
// with the reason in the debug log, when it cannot be started.
bool StartHandler(const CrashOptions& crash, const Options& options,
                  const std::string& dsn) {
  const std::string path = FindHandler(crash.handler_path);
  if (path.empty()) {
    internal::Log(internal::LogLevel::kWarning,
                  "crash integration: no sentry-crash-handler found (",
                  crash.handler_path.empty()
                      ? "none beside the program or in its runfiles"
                      : "CrashOptions::handler_path is not executable",
                  "); crashes are written in-process and sent by the next "
                  "run");
    return false;
  }
  int request[2], reply[2];
  if (::pipe2(request, O_CLOEXEC) != 0) return false;
  if (::pipe2(reply, O_CLOEXEC) != 0) {
    ::close(request[0]);
    ::close(request[1]);
    return false;
  }
  // The handler's ends, as fds 3 and 4 there: moved above both first so
  // that no dup2 overwrites the other.
  const int their_request = ::fcntl(request[0], F_DUPFD_CLOEXEC, 100);
  const int their_reply = ::fcntl(reply[1], F_DUPFD_CLOEXEC, 100);
  ::close(request[0]);
  ::close(reply[1]);
  const std::vector<std::string> args = {
      path, "--pid", std::to_string(::getpid()), "--request-fd", "3",
      "--reply-fd", "4", "--message",
      absl::StrCat(absl::Hex(reinterpret_cast<uintptr_t>(&g_message))),
      "--cache-dir", options.cache_dir, "--dsn", dsn, "--environment",
      options.environment.empty() ? "production" : options.environment,
      "--ca-certs", options.ca_certs, "--http-proxy", options.http_proxy,
      "--https-proxy", options.https_proxy, "--timeout-ms",
      std::to_string(absl::ToInt64Milliseconds(crash.handler_timeout)),
      "--minidump", crash.attach_minidump ? "1" : "0", "--debug",
      options.debug ? "1" : "0",
      // Options::scrub_data, applied by the handler to the crashing
      // thread's scope (lists joined by the unit separator).
      "--scrub", options.scrub_data ? "1" : "0", "--send-default-pii",
      options.send_default_pii ? "1" : "0", "--scrub-keys",
      absl::StrJoin(options.scrub_keys, "\x1f"), "--scrub-values",
      absl::StrJoin(options.scrub_value_patterns, "\x1f")};
  std::vector<char*> argv;
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, their_request, 3);
  posix_spawn_file_actions_adddup2(&actions, their_reply, 4);
  posix_spawn_file_actions_addclosefrom_np(&actions, 5);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, path.c_str(), &actions, nullptr,
                                    argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(their_request);
  ::close(their_reply);
  if (spawned != 0) {
    internal::Log(internal::LogLevel::kWarning,
                  "crash integration: cannot start ", path, ": ",
                  std::strerror(spawned), "; crashes are written in-process");
    ::close(request[1]);
    ::close(reply[0]);
    return false;
  }
  // Where ptrace is restricted (Yama), the handler may still read this
  // process; without Yama this fails and nothing needs allowing.
  ::prctl(PR_SET_PTRACER, pid, 0, 0, 0);
  g_request_fd = request[1];
  g_reply_fd = reply[0];
  g_timeout_ms =
      static_cast<int>(absl::ToInt64Milliseconds(crash.handler_timeout));
  g_max_breadcrumbs = static_cast<size_t>(options.max_breadcrumbs);
  g_message.abort_msg =
      reinterpret_cast<uintptr_t>(::dlsym(RTLD_DEFAULT, "__abort_msg"));
  g_owner_pid = ::getpid();
  g_handler_pid.store(pid, std::memory_order_release);
  internal::Log(internal::LogLevel::kDebug,
                "crash integration: handler process ", pid, " (", path, ")");
  return true;
}

// A signal stack for the calling thread, so that a stack overflow on it
// can still be reported: given to each thread the first time it uses the
// SDK (the thread that calls Init has a static one), kept until it exits.
class ThreadSignalStack {
 public:
  static constexpr size_t kSize = 128 * 1024;

  ThreadSignalStack() {
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 &&
        (current.ss_flags & SS_DISABLE) == 0) {
      return;  // The thread has one (its own, or a sanitizer's).
    }
    void* memory = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) return;
    stack_t alt{};
    alt.ss_sp = memory;
    alt.ss_size = kSize;
    if (sigaltstack(&alt, nullptr) != 0) {
      ::munmap(memory, kSize);
      return;
    }
    memory_ = memory;
  }
  ~ThreadSignalStack() {
    if (memory_ == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    ::munmap(memory_, kSize);
  }

  static void ForThisThread() { thread_local ThreadSignalStack stack; }

 private:
  void* memory_ = nullptr;
};

// Earlier runs that the kernel's OOM killer ended, each reported once as a
// fatal event (mechanism "oom"; their sessions are closed as abnormal by
// the session tracker); then this run's count is kept for the next.
void ReportOomKills(Client& client, const std::string& cache_dir) {
  for (const internal::crash::OomKill& kill :
       internal::crash::FindOomKills(cache_dir)) {
    protocol::Event event;
    event.set_level("fatal");
    auto* value = event.mutable_exception()->add_values();
    value->set_type("OutOfMemory");
    value->set_value(
        absl::StrCat("The kernel's OOM killer ended process ", kill.pid,
                     " (its memory cgroup's oom_kill count went from ",
                     kill.before, " to ", kill.after, ")"));
    auto* mechanism = value->mutable_mechanism();
    mechanism->set_type("oom");
    mechanism->set_handled(false);
    mechanism->set_synthetic(true);
    (*mechanism->mutable_data()->mutable_fields())["oom_kill_counter"]
        .set_string_value(kill.counter);
    auto& crash = (*event.mutable_contexts())["crash"];
    (*crash.mutable_fields())["type"].set_string_value("crash");
    (*crash.mutable_fields())["pid"].set_number_value(kill.pid);
    internal::Log(internal::LogLevel::kInfo, "crash integration: process ",
                  kill.pid, " was killed by the OOM killer; reporting it");
    internal::CapturePreviousRunEvent(client, std::move(event));
  }
  internal::crash::RememberOomCount(cache_dir);
}

class CrashIntegration;

// The integration that WaitForCrashEventPrepared asks (one per process).
absl::Mutex g_integration_mu;
CrashIntegration* g_integration ABSL_GUARDED_BY(g_integration_mu) = nullptr;

class CrashIntegration final : public Integration {
 public:
  explicit CrashIntegration(CrashOptions crash) : crash_(std::move(crash)) {}
  ~CrashIntegration() override {
    {
      absl::MutexLock lock(&g_integration_mu);
      if (g_integration == this) g_integration = nullptr;
    }
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (refresher_.joinable()) refresher_.join();
    // A clean exit: not an OOM kill.
    if (!options_.cache_dir.empty()) {
      internal::crash::ForgetOomCount(options_.cache_dir);
    }
  }
  absl::string_view name() const override { return "crash"; }
  bool processes_events() const override { return false; }

  void Setup(Client& client) override {
    const Options& options = client.options();
    if (options.cache_dir.empty()) {
      internal::Log(internal::LogLevel::kError,
                    "crash integration: set Options::cache_dir; crashes are "
                    "not captured");
      return;
    }
    if (options.cache_dir.size() >= sizeof(g_dir)) return;
    std::string dir = options.cache_dir;
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
      ::mkdir(dir.substr(0, slash).c_str(), 0700);
      if (slash == std::string::npos) break;
    }
    std::memcpy(g_dir, dir.c_str(), dir.size() + 1);
    ReportOomKills(client, dir);
    const std::string dsn = client.dsn() ? client.dsn()->raw() : "";
    if (dsn.size() < sizeof(g_dsn))
      std::memcpy(g_dsn, dsn.c_str(), dsn.size() + 1);
    options_ = options;
    options_.integrations.clear();
    options_.transport = nullptr;
    // Built once: the refresher scrubs each re-rendered event with it.
    auto scrubber =
        std::make_shared<const internal::Scrubber>(internal::Scrubber::Config{
            options.scrub_data, options.scrub_keys,
            options.scrub_value_patterns, options.send_default_pii});
    RenderedFrom first;
    Prepare(options_, *scrubber, first);
    if (!refresher_.joinable()) {
      refresher_ = std::thread([this, first, scrubber] {
        internal::BecomeSdkThread("sentry-crash");
        Refresh(first, *scrubber);
      });
    }
    Install();
    if (crash_.out_of_process && g_handler_pid.load() == 0) {
      StartHandler(crash_, options, dsn);
    }
    absl::MutexLock lock(&g_integration_mu);
    g_integration = this;
  }

  // Asks the refresher for a pass that starts after this call and waits
  // until it is done.
  bool PrepareNow(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const uint64_t target = ++requested_;
    struct Arg {
      CrashIntegration* self;
      uint64_t target;
    } arg{this, target};
    return mu_.AwaitWithTimeout(absl::Condition(
                                    +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                      return a->self->completed_ >= a->target ||
                                             a->self->stopping_;
                                    },
                                    &arg),
                                timeout) &&
           completed_ >= target;
  }

 private:
  // Re-renders every 250 ms, or at once when PrepareNow asks.
  void Refresh(RenderedFrom last, const internal::Scrubber& scrubber) {
    for (;;) {
      uint64_t target;
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(
            absl::Condition(
                +[](CrashIntegration* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                  return self->stopping_ || self->requested_ > self->completed_;
                },
                this),
            absl::Milliseconds(250));
        if (stopping_) return;
        target = requested_;
      }
      Prepare(options_, scrubber, last);
      absl::MutexLock lock(&mu_);
      completed_ = target;
    }
  }

 private:
  static void Install() {
    if (g_installed.exchange(true)) return;
    // Once outside any signal handler: the unwinder resolves its symbols
    // and registers the loaded modules' frame tables now, not in the
    // crash.
    int frames = 0;
    _Unwind_Backtrace(&CountFrame, &frames);
    // The handler runs here, so a stack overflow can still be reported.
    // (Per thread: this covers the thread that calls sentry::Init.)
    static char alt_stack[256 * 1024];
    stack_t alt{};
    alt.ss_size = sizeof(alt_stack);
    alt.ss_sp = alt_stack;
    sigaltstack(&alt, nullptr);
    internal::SetThreadFirstUseHook(&ThreadSignalStack::ForThisThread);
    for (int sig : kSignals) {
      struct sigaction action {};
      action.sa_sigaction = &OnSignal;
      // SA_NODEFER: a fault while the crashing thread writes its scope
      // reaches OnSignal again (which jumps back) instead of killing.
      action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigemptyset(&action.sa_mask);
      sigaction(sig, &action, &g_previous[sig]);
    }
  }

  const CrashOptions crash_;
  Options options_;
  std::thread refresher_;
  mutable absl::Mutex mu_;
  uint64_t requested_ ABSL_GUARDED_BY(mu_) = 0;  // PrepareNow calls so far
  uint64_t completed_ ABSL_GUARDED_BY(mu_) = 0;  // requests a pass covered
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

std::shared_ptr<Integration> NewCrashIntegration(CrashOptions options) {
  return std::make_shared<CrashIntegration>(std::move(options));
}

bool CrashHandlerRunning() {
  return g_handler_pid.load(std::memory_order_acquire) > 0;
}

bool WaitForCrashEventPrepared(absl::Duration timeout) {
  absl::MutexLock lock(&g_integration_mu);
  return g_integration != nullptr && g_integration->PrepareNow(timeout);
}

}  // namespace sentry
