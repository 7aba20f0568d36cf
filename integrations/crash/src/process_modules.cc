#include "integrations/crash/src/process_modules.h"

#include <elf.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace sentry::internal::crash {
namespace {

constexpr size_t kMaxPhdrs = 64;
constexpr size_t kMaxNotes = 4096;

bool Read(int pid, uint64_t address, void* out, size_t size) {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
         static_cast<ssize_t>(size);
}

// The GNU build id in the notes at `address` (`size` bytes), or "".
std::string BuildIdAt(int pid, uint64_t address, uint64_t size) {
  std::string notes(std::min<uint64_t>(size, kMaxNotes), '\0');
  if (!Read(pid, address, notes.data(), notes.size())) return "";
  const char* p = notes.data();
  const char* end = p + notes.size();
  while (p + sizeof(Elf64_Nhdr) <= end) {
    Elf64_Nhdr note;
    std::memcpy(&note, p, sizeof(note));
    const char* name = p + sizeof(Elf64_Nhdr);
    const char* desc = name + ((note.n_namesz + 3) & ~3u);
    const char* next = desc + ((note.n_descsz + 3) & ~3u);
    if (next > end || next <= p) break;
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
        std::memcmp(name, "GNU", 4) == 0) {
      return std::string(desc, note.n_descsz);
    }
    p = next;
  }
  return "";
}

// The module whose ELF header is mapped at `start`, or false.
bool ModuleAt(int pid, uint64_t start, const std::string& path,
              Module* module) {
  Elf64_Ehdr header;
  if (!Read(pid, start, &header, sizeof(header)) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_phnum == 0 ||
      header.e_phnum > kMaxPhdrs || header.e_phentsize != sizeof(Elf64_Phdr)) {
    return false;
  }
  Elf64_Phdr phdrs[kMaxPhdrs];
  if (!Read(pid, start + header.e_phoff, phdrs,
            header.e_phnum * sizeof(Elf64_Phdr))) {
    return false;
  }
  uint64_t low = UINT64_MAX, high = 0, first_offset_zero = UINT64_MAX;
  for (int i = 0; i < header.e_phnum; ++i) {
    if (phdrs[i].p_type != PT_LOAD) continue;
    low = std::min(low, phdrs[i].p_vaddr);
    high = std::max(high, phdrs[i].p_vaddr + phdrs[i].p_memsz);
    if (phdrs[i].p_offset == 0 && first_offset_zero == UINT64_MAX) {
      first_offset_zero = phdrs[i].p_vaddr;
    }
  }
  if (low == UINT64_MAX || first_offset_zero == UINT64_MAX) return false;
  // The segment at file offset 0 is the one mapped at `start`.
  const uint64_t bias = start - (first_offset_zero & ~uint64_t{0xfff});
  module->code_file = path;
  module->image_addr = bias + low;
  module->image_vmaddr = low;
  module->image_size = high - low;
  for (int i = 0; i < header.e_phnum; ++i) {
    if (phdrs[i].p_type != PT_NOTE) continue;
    const std::string build_id =
        BuildIdAt(pid, bias + phdrs[i].p_vaddr, phdrs[i].p_memsz);
    if (!build_id.empty()) {
      module->code_id = absl::BytesToHexString(build_id);
      module->debug_id = DebugIdFromBuildId(build_id);
      break;
    }
  }
  return true;
}

}  // namespace

std::vector<Module> ModulesOf(int pid, std::string* maps) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::stringstream text;
  text << in.rdbuf();
  if (maps != nullptr) *maps = text.str();
  std::vector<Module> modules;
  std::set<std::string> seen;
  std::string line;
  std::istringstream lines(text.str());
  while (std::getline(lines, line)) {
    // start-end perms offset dev inode path
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 6 || fields[5].empty() || fields[5][0] != '/') {
      continue;
    }
    uint64_t start = 0, offset = 0;
    const std::vector<absl::string_view> range = absl::StrSplit(fields[0], '-');
    if (range.size() != 2 || !absl::SimpleHexAtoi(range[0], &start) ||
        !absl::SimpleHexAtoi(fields[2], &offset) || offset != 0) {
      continue;
    }
    // The path is the rest of the line (it may hold spaces).
    const std::string path =
        line.substr(static_cast<size_t>(fields[5].data() - line.data()));
    if (!seen.insert(path).second) continue;
    Module module;
    if (ModuleAt(pid, start, path, &module)) modules.push_back(module);
  }
  return modules;
}

}  // namespace sentry::internal::crash
