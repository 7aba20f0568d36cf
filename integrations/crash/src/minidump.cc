#include "integrations/crash/src/minidump.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace sentry::internal::crash {
namespace {

// The format's structures (Microsoft's minidump headers, Breakpad's Linux
// extensions), little-endian and packed as written.
struct __attribute__((packed)) Location {
  uint32_t size = 0;
  uint32_t rva = 0;
};
struct __attribute__((packed)) MemoryDescriptor {
  uint64_t start = 0;
  Location memory;
};
struct __attribute__((packed)) Header {
  uint32_t signature = 0x504d444d;  // "MDMP"
  uint32_t version = 0xa793;
  uint32_t stream_count = 0;
  uint32_t stream_rva = 0;
  uint32_t checksum = 0;
  uint32_t time = 0;
  uint64_t flags = 0;
};
struct __attribute__((packed)) Directory {
  uint32_t type = 0;
  Location location;
};
struct __attribute__((packed)) Thread {
  uint32_t id = 0;
  uint32_t suspend_count = 0;
  uint32_t priority_class = 0;
  uint32_t priority = 0;
  uint64_t teb = 0;
  MemoryDescriptor stack;
  Location context;
};
struct __attribute__((packed)) Module {
  uint64_t base = 0;
  uint32_t size = 0;
  uint32_t checksum = 0;
  uint32_t time = 0;
  uint32_t name_rva = 0;
  uint32_t version_info[13] = {};
  Location cv_record;
  Location misc_record;
  uint64_t reserved0 = 0;
  uint64_t reserved1 = 0;
};
struct __attribute__((packed)) Exception {
  uint32_t code = 0;
  uint32_t flags = 0;
  uint64_t record = 0;
  uint64_t address = 0;
  uint32_t parameter_count = 0;
  uint32_t unused = 0;
  uint64_t information[15] = {};
};
struct __attribute__((packed)) ExceptionStream {
  uint32_t thread_id = 0;
  uint32_t alignment = 0;
  Exception exception;
  Location context;
};
struct __attribute__((packed)) SystemInfo {
  uint16_t processor_architecture = 9;  // AMD64
  uint16_t processor_level = 0;
  uint16_t processor_revision = 0;
  uint8_t processor_count = 0;
  uint8_t product_type = 0;
  uint32_t major_version = 0;
  uint32_t minor_version = 0;
  uint32_t build_number = 0;
  uint32_t platform_id = 0x8201;  // Linux (Breakpad)
  uint32_t csd_version_rva = 0;
  uint16_t suite_mask = 0;
  uint16_t reserved = 0;
  uint8_t cpu[24] = {};
};
struct __attribute__((packed)) MiscInfo {
  uint32_t size = 24;
  uint32_t flags = 1;  // The process id is set.
  uint32_t process_id = 0;
  uint32_t create_time = 0;
  uint32_t user_time = 0;
  uint32_t kernel_time = 0;
};
struct __attribute__((packed)) ContextAmd64 {
  uint64_t home[6] = {};
  uint32_t context_flags = 0x100003;  // AMD64: control and integer.
  uint32_t mx_csr = 0;
  uint16_t cs = 0, ds = 0, es = 0, fs = 0, gs = 0, ss = 0;
  uint32_t eflags = 0;
  uint64_t dr0 = 0, dr1 = 0, dr2 = 0, dr3 = 0, dr6 = 0, dr7 = 0;
  uint64_t rax = 0, rcx = 0, rdx = 0, rbx = 0, rsp = 0, rbp = 0, rsi = 0,
           rdi = 0;
  uint64_t r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
  uint64_t rip = 0;
  uint8_t float_save[512] = {};
  uint8_t vector_registers[26 * 16] = {};
  uint64_t vector_control = 0;
  uint64_t debug_control = 0;
  uint64_t last_branch_to_rip = 0;
  uint64_t last_branch_from_rip = 0;
  uint64_t last_exception_to_rip = 0;
  uint64_t last_exception_from_rip = 0;
};
static_assert(sizeof(Header) == 32);
static_assert(sizeof(Thread) == 48);
static_assert(sizeof(Module) == 108);
static_assert(sizeof(ExceptionStream) == 168);
static_assert(sizeof(SystemInfo) == 56);
static_assert(sizeof(ContextAmd64) == 1232);

enum StreamType : uint32_t {
  kThreadList = 3,
  kModuleList = 4,
  kMemoryList = 5,
  kException = 6,
  kSystemInfo = 7,
  kMiscInfo = 15,
  kLinuxProcStatus = 0x47670003,
  kLinuxCmdLine = 0x47670006,
  kLinuxMaps = 0x47670009,
};

constexpr uint64_t kMaxStack = 256 * 1024;
constexpr uint64_t kRedZone = 128;

// The file being written: blobs appended at 8-byte boundaries, patched
// once their places are known.
class File {
 public:
  uint32_t Append(const void* data, size_t size) {
    bytes_.resize((bytes_.size() + 7) & ~size_t{7}, '\0');
    const auto rva = static_cast<uint32_t>(bytes_.size());
    bytes_.append(static_cast<const char*>(data), size);
    return rva;
  }
  template <typename T>
  uint32_t Append(const T& value) {
    return Append(&value, sizeof(value));
  }
  template <typename T>
  void Patch(uint32_t rva, const T& value) {
    std::memcpy(&bytes_[rva], &value, sizeof(value));
  }
  // A MINIDUMP_STRING: its length in bytes, then UTF-16LE (ASCII widened;
  // other bytes as they are) and a terminating zero.
  uint32_t AppendString(absl::string_view text) {
    std::string utf16;
    for (unsigned char c : text) {
      utf16.push_back(static_cast<char>(c));
      utf16.push_back('\0');
    }
    const auto length = static_cast<uint32_t>(utf16.size());
    utf16.append(2, '\0');
    std::string blob(reinterpret_cast<const char*>(&length), sizeof(length));
    blob += utf16;
    return Append(blob.data(), blob.size());
  }
  size_t size() const { return bytes_.size(); }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

ContextAmd64 ContextOf(const user_regs_struct& r) {
  ContextAmd64 c;
  c.rax = r.rax;
  c.rcx = r.rcx;
  c.rdx = r.rdx;
  c.rbx = r.rbx;
  c.rsp = r.rsp;
  c.rbp = r.rbp;
  c.rsi = r.rsi;
  c.rdi = r.rdi;
  c.r8 = r.r8;
  c.r9 = r.r9;
  c.r10 = r.r10;
  c.r11 = r.r11;
  c.r12 = r.r12;
  c.r13 = r.r13;
  c.r14 = r.r14;
  c.r15 = r.r15;
  c.rip = r.rip;
  c.eflags = static_cast<uint32_t>(r.eflags);
  c.cs = static_cast<uint16_t>(r.cs);
  c.ss = static_cast<uint16_t>(r.ss);
  return c;
}

struct Range {
  uint64_t start;
  uint64_t end;
};

std::vector<Range> Mappings(const std::string& maps) {
  std::vector<Range> ranges;
  for (absl::string_view line : absl::StrSplit(maps, '\n')) {
    const absl::string_view span = line.substr(0, line.find(' '));
    const std::vector<absl::string_view> ends = absl::StrSplit(span, '-');
    Range range;
    if (ends.size() == 2 && absl::SimpleHexAtoi(ends[0], &range.start) &&
        absl::SimpleHexAtoi(ends[1], &range.end)) {
      ranges.push_back(range);
    }
  }
  return ranges;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string WriteMinidump(const MinidumpInput& input) {
  File file;
  file.Append(Header());
  std::vector<Directory> directory;
  const uint32_t directory_rva = file.Append(
      std::string(sizeof(Directory) * 9, '\0').data(), sizeof(Directory) * 9);

  // Each thread's context and stack.
  const std::vector<Range> mappings = Mappings(input.maps);
  std::vector<Thread> threads;
  std::vector<MemoryDescriptor> memory;
  Location crash_context;
  for (const MinidumpThread& t : input.threads) {
    Thread thread;
    thread.id = static_cast<uint32_t>(t.tid);
    const ContextAmd64 context = ContextOf(t.regs);
    thread.context = {sizeof(context), file.Append(context)};
    if (t.tid == input.crashing_tid) crash_context = thread.context;
    const uint64_t sp = t.regs.rsp;
    for (const Range& range : mappings) {
      if (sp < range.start || sp >= range.end) continue;
      const uint64_t start = std::max(range.start, sp - kRedZone);
      const uint64_t end = std::min(range.end, start + kMaxStack);
      std::string stack(end - start, '\0');
      iovec local{stack.data(), stack.size()};
      iovec remote{reinterpret_cast<void*>(start), stack.size()};
      if (::process_vm_readv(input.pid, &local, 1, &remote, 1, 0) !=
          static_cast<ssize_t>(stack.size())) {
        break;
      }
      thread.stack.start = start;
      thread.stack.memory = {static_cast<uint32_t>(stack.size()),
                             file.Append(stack.data(), stack.size())};
      memory.push_back(thread.stack);
      break;
    }
    threads.push_back(thread);
  }
  {
    std::string list(4, '\0');
    const auto count = static_cast<uint32_t>(threads.size());
    std::memcpy(list.data(), &count, 4);
    list.append(reinterpret_cast<const char*>(threads.data()),
                threads.size() * sizeof(Thread));
    directory.push_back({kThreadList,
                         {static_cast<uint32_t>(list.size()),
                          file.Append(list.data(), list.size())}});
  }
  {
    std::string list(4, '\0');
    const auto count = static_cast<uint32_t>(memory.size());
    std::memcpy(list.data(), &count, 4);
    list.append(reinterpret_cast<const char*>(memory.data()),
                memory.size() * sizeof(MemoryDescriptor));
    directory.push_back({kMemoryList,
                         {static_cast<uint32_t>(list.size()),
                          file.Append(list.data(), list.size())}});
  }

  // Modules: names and build ids first, then the list pointing at them.
  std::vector<Module> modules;
  for (const internal::Module& m : input.modules) {
    Module module;
    module.base = m.image_addr;
    module.size = static_cast<uint32_t>(m.image_size);
    module.name_rva = file.AppendString(m.code_file);
    std::string cv = "BpEL";  // Breakpad's ELF build id record.
    cv += absl::HexStringToBytes(m.code_id);
    module.cv_record = {static_cast<uint32_t>(cv.size()),
                        file.Append(cv.data(), cv.size())};
    modules.push_back(module);
  }
  {
    std::string list(4, '\0');
    const auto count = static_cast<uint32_t>(modules.size());
    std::memcpy(list.data(), &count, 4);
    list.append(reinterpret_cast<const char*>(modules.data()),
                modules.size() * sizeof(Module));
    directory.push_back({kModuleList,
                         {static_cast<uint32_t>(list.size()),
                          file.Append(list.data(), list.size())}});
  }

  ExceptionStream exception;
  exception.thread_id = static_cast<uint32_t>(input.crashing_tid);
  exception.exception.code = static_cast<uint32_t>(input.signal);
  exception.exception.flags = static_cast<uint32_t>(input.code);
  exception.exception.address = input.fault_addr;
  exception.context = crash_context;
  directory.push_back(
      {kException, {sizeof(exception), file.Append(exception)}});

  SystemInfo system;
  const long cpus = ::sysconf(_SC_NPROCESSORS_CONF);
  system.processor_count = static_cast<uint8_t>(std::clamp(cpus, 1L, 255L));
  directory.push_back({kSystemInfo, {sizeof(system), file.Append(system)}});

  MiscInfo misc;
  misc.process_id = static_cast<uint32_t>(input.pid);
  directory.push_back({kMiscInfo, {sizeof(misc), file.Append(misc)}});

  const std::string proc = "/proc/" + std::to_string(input.pid);
  for (const auto& [type, text] :
       {std::pair<uint32_t, std::string>{kLinuxMaps, input.maps},
        {kLinuxProcStatus, ReadFile(proc + "/status")},
        {kLinuxCmdLine, ReadFile(proc + "/cmdline")}}) {
    directory.push_back({type,
                         {static_cast<uint32_t>(text.size()),
                          file.Append(text.data(), text.size())}});
  }

  Header header;
  header.stream_count = static_cast<uint32_t>(directory.size());
  header.stream_rva = directory_rva;
  header.time = static_cast<uint32_t>(input.time);
  file.Patch(0, header);
  for (size_t i = 0; i < directory.size(); ++i) {
    file.Patch(directory_rva + static_cast<uint32_t>(i * sizeof(Directory)),
               directory[i]);
  }
  return file.Take();
}

}  // namespace sentry::internal::crash
