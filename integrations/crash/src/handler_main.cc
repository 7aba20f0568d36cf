// sentry-crash-handler: the crash integration's handler process. Started by
// sentry::Init (NewCrashIntegration), it waits for its program to crash,
// then captures the crash from the outside (every thread's stack, the
// crashing thread's scope), writes the crash event and the crashed session
// into the spool, and sends them at once through the SDK's HTTP transport.
// It exits when its program exits. Not meant to be run by hand:
//
//   sentry-crash-handler --pid PID --request-fd 3 --reply-fd 4
//       --message ADDRESS --cache-dir DIR [--dsn DSN] [--environment ENV]
//       [--ca-certs FILE] [--http-proxy URL] [--https-proxy URL]
//       [--timeout-ms N] [--debug]
//
// See crash_message.h for the exchange with the crashing process.
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "integrations/crash/src/crash_message.h"
#include "integrations/crash/src/minidump.h"
#include "integrations/crash/src/oom_record.h"
#include "integrations/crash/src/process_modules.h"
#include "integrations/crash/src/thread_capture.h"
#include "sdk/src/json.h"
#include "sdk/src/message_json.h"
#include "sdk/src/propagation.h"
#include "sdk/src/scrubber.h"
#include "sdk/src/session.h"
#include "sentry/dsn.h"
#include "sentry/envelope.h"
#include "sentry/protocol/event.pb.h"
#include "sentry/sentry.h"
#include "transports/http/src/spool.h"

namespace sentry::internal::crash {
namespace {

// The largest scope attachment the handler reads into a crash report.
constexpr size_t kMaxAttachment = 20 << 20;

struct Args {
  int pid = 0;
  int request_fd = -1;
  int reply_fd = -1;
  uint64_t message = 0;
  std::string cache_dir;
  std::string dsn;
  std::string environment = "production";
  std::string ca_certs;
  std::string http_proxy;
  std::string https_proxy;
  int timeout_ms = 5000;
  bool minidump = false;
  bool debug = false;
  internal::Scrubber::Config scrub;
};

std::optional<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const absl::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--pid") {
      if (!absl::SimpleAtoi(value, &args.pid)) return std::nullopt;
    } else if (flag == "--request-fd") {
      if (!absl::SimpleAtoi(value, &args.request_fd)) return std::nullopt;
    } else if (flag == "--reply-fd") {
      if (!absl::SimpleAtoi(value, &args.reply_fd)) return std::nullopt;
    } else if (flag == "--message") {
      if (!absl::SimpleHexAtoi(value, &args.message)) return std::nullopt;
    } else if (flag == "--cache-dir") {
      args.cache_dir = value;
    } else if (flag == "--dsn") {
      args.dsn = value;
    } else if (flag == "--environment") {
      args.environment = value;
    } else if (flag == "--ca-certs") {
      args.ca_certs = value;
    } else if (flag == "--http-proxy") {
      args.http_proxy = value;
    } else if (flag == "--https-proxy") {
      args.https_proxy = value;
    } else if (flag == "--timeout-ms") {
      if (!absl::SimpleAtoi(value, &args.timeout_ms)) return std::nullopt;
    } else if (flag == "--minidump") {
      args.minidump = absl::string_view(value) == "1";
    } else if (flag == "--debug") {
      args.debug = absl::string_view(value) == "1";
    } else if (flag == "--scrub") {
      args.scrub.enabled = absl::string_view(value) == "1";
    } else if (flag == "--send-default-pii") {
      args.scrub.send_default_pii = absl::string_view(value) == "1";
    } else if (flag == "--scrub-keys") {
      args.scrub.keys = absl::StrSplit(value, '\x1f', absl::SkipEmpty());
    } else if (flag == "--scrub-values") {
      args.scrub.value_patterns =
          absl::StrSplit(value, '\x1f', absl::SkipEmpty());
    } else {
      return std::nullopt;
    }
  }
  if (args.pid <= 0 || args.request_fd < 0 || args.reply_fd < 0 ||
      args.message == 0 || args.cache_dir.empty()) {
    return std::nullopt;
  }
  return args;
}

class Handler {
 public:
  explicit Handler(Args args) : args_(std::move(args)) {}

  // Waits for a crash or for the program's exit; 0 when it exited.
  int Run() {
    for (;;) {
      char byte = 0;
      const ssize_t n = ::read(args_.request_fd, &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return 0;  // The program is gone without a crash.
      if (byte == kCrash) return Capture();
    }
  }

 private:
  void Debug(absl::string_view what) {
    if (args_.debug) std::cerr << "[sentry-crash-handler] " << what << "\n";
  }

  void Reply(char byte) { (void)!::write(args_.reply_fd, &byte, 1); }

  // The next byte from the program within the timeout, or 0.
  char Await() {
    pollfd p{args_.request_fd, POLLIN, 0};
    if (::poll(&p, 1, args_.timeout_ms) != 1) return 0;
    char byte = 0;
    return ::read(args_.request_fd, &byte, 1) == 1 ? byte : 0;
  }

  // `size` bytes at `address` in the program.
  bool Read(uint64_t address, void* out, size_t size) {
    iovec local{out, size};
    iovec remote{reinterpret_cast<void*>(address), size};
    return ::process_vm_readv(args_.pid, &local, 1, &remote, 1, 0) ==
           static_cast<ssize_t>(size);
  }

  int Capture() {
    const absl::Time started = absl::Now();
    CrashMessage message;
    if (!Read(args_.message, &message, sizeof(message)) ||
        message.magic != kMagic) {
      Debug(absl::StrCat("cannot read the crash message: ",
                         std::strerror(errno)));
      Reply(kFailed);
      return 1;
    }
    std::string error;
    auto capture = ThreadCapture::StopAll(args_.pid, message.tid, &error);
    if (capture == nullptr) {
      Debug(absl::StrCat("cannot stop the threads: ", error));
      Reply(kFailed);
      return 1;
    }
    Reply(kStopped);
    const bool scope_written = Await() == kScope;
    // The scope lengths were written after the message was first read.
    if (scope_written && !Read(args_.message, &message, sizeof(message))) {
      Reply(kFailed);
      return 1;
    }
    std::vector<CapturedThread> threads =
        capture->Unwind(message.tid, message.context);
    auto prepared = std::make_unique<PreparedEvent>();
    const bool have_prepared =
        message.prepared != 0 &&
        Read(message.prepared, prepared.get(), sizeof(PreparedEvent)) &&
        prepared->prefix_len > 1 && prepared->prefix_len < kPrefixMax;
    std::string scope, dsc;
    if (scope_written && message.scope_len > 0 &&
        message.scope_len <= kScopeMax) {
      scope.resize(message.scope_len);
      if (!Read(message.scope, scope.data(), scope.size())) scope.clear();
    }
    if (scope_written && message.dsc_len > 0 && message.dsc_len <= kTraceMax) {
      dsc.resize(message.dsc_len);
      if (!Read(message.dsc, dsc.data(), dsc.size())) dsc.clear();
    }
    if (!have_prepared) {
      Debug("no prepared event in the program");
      Reply(kFailed);
      return 1;
    }
    // The modules loaded now (a library loaded since the prepared event
    // was rendered among them), and the minidump while the threads are
    // stopped.
    std::string maps;
    const std::vector<Module> modules = ModulesOf(args_.pid, &maps);
    std::string minidump;
    if (args_.minidump) {
      MinidumpInput input;
      input.pid = args_.pid;
      input.crashing_tid = message.tid;
      input.signal = message.signal;
      input.code = message.code;
      input.fault_addr = message.fault_addr;
      input.time = message.micros / 1000000;
      input.threads.push_back({message.tid, RegistersOf(message.context)});
      for (const auto& stopped : capture->stopped()) {
        input.threads.push_back({stopped.tid, stopped.regs});
      }
      input.modules = modules;
      input.maps = std::move(maps);
      minidump = WriteMinidump(input);
    }
    // On disk before the process may die: a crash of this handler from
    // here on still leaves the report for the next run.
    const std::string envelope = BuildEnvelope(message, *prepared, threads,
                                               modules, scope, dsc, minidump);
    const bool stored = Store(envelope, message.pid);
    // The crash is the report: the next run finds no OOM kill to report.
    if (stored) ForgetOomCountOf(args_.cache_dir, message.pid);
    capture.reset();  // The threads go on (to die).
    Reply(stored ? kDone : kFailed);
    Debug(absl::StrCat("captured ", threads.size(), " threads and stored in ",
                       absl::FormatDuration(absl::Now() - started)));
    if (!stored) return 1;
    Send();
    return 0;
  }

  std::string BuildEnvelope(const CrashMessage& message,
                            const PreparedEvent& prepared,
                            const std::vector<CapturedThread>& threads,
                            const std::vector<Module>& modules,
                            const std::string& scope, const std::string& dsc,
                            const std::string& minidump) {
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    protocol::Event event;
    std::string base(prepared.prefix, prepared.prefix_len);
    base.back() = '}';
    if (!google::protobuf::util::JsonStringToMessage(base, &event, lenient)
             .ok()) {
      Debug("the prepared event does not parse");
    }
    protocol::Event thread_scope;
    const bool own_scope =
        !scope.empty() && google::protobuf::util::JsonStringToMessage(
                              scope, &thread_scope, lenient)
                              .ok();
    if (own_scope) {
      // The crashing thread's scope replaces the main hub's, rendered
      // ahead of time; what every event carries (the "os" context) stays.
      google::protobuf::Struct os;
      const bool has_os = event.contexts().count("os") != 0;
      if (has_os) os = event.contexts().at("os");
      event.clear_tags();
      event.clear_extra();
      event.clear_contexts();
      event.clear_user();
      event.clear_breadcrumbs();
      event.clear_transaction();
      event.clear_fingerprint();
      event.MergeFrom(thread_scope);
      if (has_os) event.mutable_contexts()->insert({"os", os});
    } else {
      Debug("the crashing thread's scope is missing: the main hub's is sent");
    }
    // As the client does for every event (the main hub's was already).
    internal::Scrubber(args_.scrub).Scrub(event);
    event.set_event_id(std::string(prepared.event_id, 32));
    event.set_level("fatal");
    event.set_timestamp(static_cast<double>(message.micros) / 1e6);

    auto* exception = event.mutable_exception()->add_values();
    exception->set_type(SignalName(message.signal));
    const std::string abort_message =
        message.signal == SIGABRT ? AbortMessage(message) : "";
    exception->set_value(abort_message.empty()
                             ? SignalDescription(message.signal)
                             : absl::StrCat(SignalDescription(message.signal),
                                            ": ", abort_message));
    (*event.mutable_contexts())["crash"] = CrashContext(message.pid);
    exception->set_thread_id(static_cast<uint64_t>(message.tid));
    auto* mechanism = exception->mutable_mechanism();
    mechanism->set_type("signalhandler");
    mechanism->set_handled(false);
    mechanism->set_synthetic(true);
    auto* signal = mechanism->mutable_meta()->mutable_signal();
    signal->set_number(message.signal);
    signal->set_code(message.code > 0 ? message.code : 0);
    signal->set_name(SignalName(message.signal));
    auto* values = event.mutable_threads()->mutable_values();
    for (const CapturedThread& thread : threads) {
      auto* value = values->Add();
      value->set_id(static_cast<uint64_t>(thread.tid));
      if (!thread.name.empty()) value->set_name(thread.name);
      value->set_crashed(thread.crashed);
      value->set_current(thread.crashed);
      value->set_main(thread.tid == message.pid);
      FillStack(thread, value->mutable_stacktrace());
      if (thread.crashed) {
        *exception->mutable_stacktrace() = value->stacktrace();
        AddRegisters(message.context, exception->mutable_stacktrace());
      }
    }

    if (!modules.empty()) {
      auto* images = event.mutable_debug_meta()->mutable_images();
      images->Clear();
      for (const Module& module : modules) {
        auto* image = images->Add();
        image->set_type("elf");
        image->set_code_file(module.code_file);
        image->set_image_addr(absl::StrCat("0x", absl::Hex(module.image_addr)));
        image->set_image_size(module.image_size);
        image->set_code_id(module.code_id);
        image->set_debug_id(module.debug_id);
      }
    }

    Envelope envelope;
    envelope.SetStringHeader("event_id", event.event_id());
    if (!args_.dsn.empty()) envelope.SetStringHeader("dsn", args_.dsn);
    const std::string trace =
        own_scope ? TraceHeader(event, dsc) : std::string(prepared.trace);
    if (!trace.empty()) envelope.SetHeader("trace", trace);
    envelope.SetHeader("sdk", MessageToJson(event.sdk()));
    envelope.AddItem("event", MessageToJson(event));
    if (auto session = CloseCrashedSession(args_.cache_dir, message.pid,
                                           event.environment().empty()
                                               ? args_.environment
                                               : event.environment())) {
      envelope.AddItem("session", *session);
    }
    if (own_scope) AddScopeAttachments(scope, envelope);
    if (!minidump.empty()) {
      EnvelopeItem& item = envelope.AddItem("attachment", minidump);
      item.headers.push_back({"filename", "\"minidump.dmp\""});
      item.headers.push_back({"attachment_type", "\"event.minidump\""});
    }
    return envelope.Serialize();
  }

  // The crashing thread's scope's attachments (CrashScope's "attachments"):
  // files read from their paths, bytes read from the stopped process.
  void AddScopeAttachments(const std::string& scope, Envelope& envelope) {
    google::protobuf::Struct document;
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(scope, &document, lenient)
             .ok()) {
      return;
    }
    const auto list = document.fields().find("attachments");
    if (list == document.fields().end()) return;
    for (const auto& value : list->second.list_value().values()) {
      const auto& fields = value.struct_value().fields();
      const auto text = [&](const char* key) -> std::string {
        const auto it = fields.find(key);
        return it == fields.end() ? "" : it->second.string_value();
      };
      const auto number = [&](const char* key) -> double {
        const auto it = fields.find(key);
        return it == fields.end() ? 0 : it->second.number_value();
      };
      std::string bytes;
      const std::string path = text("path");
      if (!path.empty()) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
          Debug(absl::StrCat("attachment ", path, " cannot be read"));
          continue;
        }
        bytes.assign(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
        if (bytes.size() > kMaxAttachment) bytes.resize(kMaxAttachment);
      } else {
        const double length = number("length");
        if (!(length >= 0 && length <= kMaxAttachment)) continue;
        bytes.resize(static_cast<size_t>(length));
        if (!bytes.empty() && !Read(static_cast<uint64_t>(number("address")),
                                    bytes.data(), bytes.size())) {
          Debug(absl::StrCat("attachment ", text("filename"),
                             " cannot be read from the process"));
          continue;
        }
      }
      EnvelopeItem& item = envelope.AddItem("attachment", std::move(bytes));
      item.headers.push_back({"filename", JsonQuote(text("filename"))});
      const std::string content_type = text("content_type");
      if (!content_type.empty()) {
        item.headers.push_back({"content_type", JsonQuote(content_type)});
      }
    }
  }

  // The envelope's "trace" of the crashing thread's scope: its frozen DSC,
  // else one for the head of its trace.
  std::string TraceHeader(const protocol::Event& event,
                          const std::string& dsc) {
    if (!dsc.empty()) return dsc;
    const auto trace = event.contexts().find("trace");
    if (trace != event.contexts().end() &&
        trace->second.fields().count("trace_id") != 0) {
      auto parsed = Dsn::Parse(args_.dsn);
      HeadDscFields fields;
      const std::string& trace_id =
          trace->second.fields().at("trace_id").string_value();
      fields.trace_id = trace_id;
      std::string public_key = parsed.ok() ? parsed->public_key() : "";
      fields.public_key = public_key;
      fields.release = event.release();
      fields.environment = event.environment();
      return HeadDsc(fields).ToJson();
    }
    return "";
  }

  // The message the C library left for an abort (a failed assertion, a
  // heap corruption it detected), or "".
  std::string AbortMessage(const CrashMessage& message) {
    uint64_t pointer = 0;
    uint32_t size = 0;
    if (message.abort_msg == 0 ||
        !Read(message.abort_msg, &pointer, sizeof(pointer)) || pointer == 0 ||
        !Read(pointer, &size, sizeof(size)) || size <= sizeof(size)) {
      return "";
    }
    // struct abort_msg_s { unsigned int size; char msg[]; }: `size` counts
    // the whole allocation.
    std::string text(std::min<size_t>(size - sizeof(size), 4096), '\0');
    if (!Read(pointer + sizeof(size), text.data(), text.size())) return "";
    text.resize(std::strlen(text.c_str()));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    return text;
  }

  // How the crash was captured, and whether the kernel writes a core dump
  // (where /proc/sys/kernel/core_pattern says) once the process dies.
  static google::protobuf::Struct CrashContext(int pid) {
    google::protobuf::Struct context;
    auto& fields = *context.mutable_fields();
    fields["type"].set_string_value("crash");
    fields["backend"].set_string_value("out_of_process");
    std::ifstream pattern_file("/proc/sys/kernel/core_pattern");
    std::string pattern;
    std::getline(pattern_file, pattern);
    std::ifstream limits(absl::StrCat("/proc/", pid, "/limits"));
    std::string line, soft;
    while (std::getline(limits, line)) {
      if (absl::StartsWith(line, "Max core file size")) {
        std::vector<std::string> words = absl::StrSplit(
            line.substr(strlen("Max core file size")), ' ', absl::SkipEmpty());
        if (!words.empty()) soft = words[0];
      }
    }
    const bool piped = absl::StartsWith(pattern, "|");
    // A pipe ignores the size limit (but 1, which refuses); a file needs
    // one above 0.
    const bool dumped = piped ? soft != "1" : !soft.empty() && soft != "0";
    fields["core_pattern"].set_string_value(pattern);
    fields["core_dumped"].set_bool_value(dumped);
    if (!dumped) {
      fields["core_dump"].set_string_value(
          absl::StrCat("not written: core file size limit ", soft));
    } else {
      fields["core_dump"].set_string_value(
          absl::StrCat(piped ? "piped to " : "written to ", pattern));
    }
    return context;
  }

  static void FillStack(const CapturedThread& thread,
                        protocol::Stacktrace* stack) {
    // Sentry's frames are oldest first.
    for (auto it = thread.frames.rbegin(); it != thread.frames.rend(); ++it) {
      auto* frame = stack->add_frames();
      frame->set_instruction_addr(absl::StrCat("0x", absl::Hex(it->pc)));
      if (!it->function.empty()) frame->set_function(it->function);
    }
  }

  static void AddRegisters(const ucontext_t& context,
                           protocol::Stacktrace* stack) {
    const greg_t* g = context.uc_mcontext.gregs;
    const std::pair<const char*, int> registers[] = {
        {"rax", REG_RAX}, {"rbx", REG_RBX}, {"rcx", REG_RCX}, {"rdx", REG_RDX},
        {"rsi", REG_RSI}, {"rdi", REG_RDI}, {"rbp", REG_RBP}, {"rsp", REG_RSP},
        {"r8", REG_R8},   {"r9", REG_R9},   {"r10", REG_R10}, {"r11", REG_R11},
        {"r12", REG_R12}, {"r13", REG_R13}, {"r14", REG_R14}, {"r15", REG_R15},
        {"rip", REG_RIP}};
    for (const auto& [name, index] : registers) {
      (*stack->mutable_registers())[name] = absl::StrCat(
          "0x", absl::Hex(static_cast<uint64_t>(g[index]), absl::kZeroPad16));
    }
  }

  // Into the spool first: sent from there (now, or by the next run when
  // this send fails), and never twice (a claimed file is locked).
  bool Store(const std::string& envelope, int pid) {
    auto spool = Spool::Open(args_.cache_dir, SpoolLimits(), nullptr);
    if (!spool.ok()) {
      Debug(absl::StrCat("cannot open the spool: ", spool.status().ToString()));
      return false;
    }
    const absl::Status stored = (*spool)->Store(envelope);
    if (!stored.ok()) {
      Debug(absl::StrCat("cannot store the crash: ", stored.ToString()));
      return false;
    }
    Debug(absl::StrCat("crash of process ", pid, " spooled"));
    return true;
  }

  // Sends what the spool holds, the crash among it, as the program's next
  // run would: the same transport, rate limits and client reports.
  void Send() {
    if (args_.dsn.empty()) return;  // The next run's transport sends it.
    Options options;
    options.dsn = args_.dsn;
    options.environment = args_.environment;
    options.cache_dir = args_.cache_dir;
    options.ca_certs = args_.ca_certs;
    options.http_proxy = args_.http_proxy;
    options.https_proxy = args_.https_proxy;
    options.auto_session_tracking = false;
    options.capture_terminate = false;
    options.debug = args_.debug;
    options.shutdown_timeout = absl::Seconds(10);
    InitGuard guard = Init(std::move(options));
    if (!guard.status().ok()) {
      Debug(absl::StrCat("cannot send: ", guard.status().ToString()));
      return;
    }
    Flush(absl::Seconds(10));
  }

  const Args args_;
};

}  // namespace
}  // namespace sentry::internal::crash

int main(int argc, char** argv) {
  auto args = sentry::internal::crash::ParseArgs(argc, argv);
  if (!args) {
    std::cerr << "sentry-crash-handler: started by sentry::Init's crash "
                 "integration, not by hand (see crash.h)\n";
    return 2;
  }
  // A signal that stops the program's process group is not ours to obey
  // while the program waits for us.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  return sentry::internal::crash::Handler(*std::move(args)).Run();
}
