// The calls without any SDK that the load generator and the footprint
// program measure beside the SDK's (loadgen --api
// floor|handoff|touch|chase|scatter|locked): what the machine charges any
// call at a given rate, whatever the SDK.
//
//   loadgen::Floor(text);    // the least a capture that queues does
//   loadgen::Handoff(text);  // the same, taken by a thread of its own
//   loadgen::Touch();        // the least any call does
//   loadgen::Chase();        // ten lines, each address read from the last
//   loadgen::Scatter();      // the same ten lines, read independently
//   loadgen::Locked();       // the same ten lines, each a locked increment
//
// And what the load generator does untimed before a capture to split its
// cost (loadgen --api capture_spun|capture_warmed):
//
//   loadgen::ReadCodeAround(address);  // 32 KiB of code into the caches
//   loadgen::SpinFor(std::chrono::microseconds(20));
//
// Floor and Handoff are thread-safe (each has its own lock); Touch writes
// one shared byte; Chase, Scatter and ReadCodeAround only read, Locked
// increments atomically.
#ifndef SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_
#define SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// The first byte of the program's mapped image and the end of its code,
// defined by the linker.
extern "C" const char __executable_start[];
extern "C" const char etext[];

namespace loadgen {

// The least that any capture that queues its event does: under a lock, a
// copy of the text (a fresh heap string) goes into a ring of slots, freeing
// the one it replaces (as a consumer would).
inline void Floor(const std::string& text) {
  static std::mutex mu;
  static auto* ring = new std::vector<std::string>(1024);
  static size_t next = 0;
  std::string copy(text);
  std::lock_guard<std::mutex> lock(mu);
  (*ring)[next++ % ring->size()] = std::move(copy);
}

// Floor's work, and a consumer on a thread of its own that takes it as the
// SDK's worker takes captures: it looks every 4 ms, reads a flag that the
// call sets, and when set reads the queued texts under the lock. No SDK
// either: what handing a text to another thread adds to the call, on this
// machine, when the other thread read the slot, the lock and the flag
// since the call before (their lines come back from the other CPU's
// cache). The consumer runs SCHED_BATCH, as the SDK's threads do.
inline void Handoff(const std::string& text) {
  struct Ring {
    std::mutex mu;
    std::string slots[8];
    size_t written = 0;  // Guarded by mu.
    size_t read = 0;     // Guarded by mu.
    std::atomic<bool> queued{false};
    // What the consumer read, kept so that its reads are not optimized out.
    std::atomic<size_t> bytes_read{0};
  };
  static Ring* const ring = [] {
    auto* r = new Ring;  // Never freed: the consumer runs until exit.
    std::thread([r] {
      sched_param param{};
      pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
      for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(4));
        if (!r->queued.load(std::memory_order_acquire)) continue;
        std::lock_guard<std::mutex> lock(r->mu);
        size_t bytes = 0;
        for (; r->read < r->written; ++r->read) {
          const std::string& slot = r->slots[r->read % 8];
          for (char c : slot) bytes += static_cast<unsigned char>(c) != 0;
        }
        r->queued.store(false, std::memory_order_relaxed);
        r->bytes_read.fetch_add(bytes, std::memory_order_relaxed);
      }
    }).detach();
    return r;
  }();
  std::string copy(text);
  std::lock_guard<std::mutex> lock(ring->mu);
  ring->slots[ring->written++ % 8] = std::move(copy);
  if (ring->written - ring->read > 8) ring->read = ring->written - 8;
  ring->queued.store(true, std::memory_order_release);
}

// Ten loads from ten cache lines, each on a page of its own: in Chase each
// line's address is read from the line before (a chain of dependent
// misses, as a call that follows pointers from its thread's hub down to a
// queue makes); in Scatter the ten addresses are read from one line first
// and the ten loads depend on nothing else (misses the CPU overlaps). The
// same lines and pages either way: the difference is what dependence costs
// a call after a pause.
struct TenPages {
  static constexpr int kLines = 10;
  alignas(4096) char pages[kLines][4096];
  const char* addresses[kLines];  // In Scatter's order.
  const char* head;               // Chase's first line.
};

inline TenPages& TenPagesOnce() {
  static TenPages* const ten = [] {
    auto* t = new TenPages();  // Never freed.
    // Line i on page i, at a different offset in each page; the chain
    // visits the pages in an order the prefetchers cannot guess.
    const int order[TenPages::kLines] = {3, 7, 1, 9, 4, 0, 8, 2, 6, 5};
    char* lines[TenPages::kLines];
    for (int i = 0; i < TenPages::kLines; ++i) {
      lines[i] = &t->pages[i][(i * 7 % 64) * 64];
    }
    for (int i = 0; i < TenPages::kLines; ++i) {
      char* next = i + 1 < TenPages::kLines ? lines[order[i + 1]] : nullptr;
      *reinterpret_cast<char**>(lines[order[i]]) = next;
      t->addresses[i] = lines[order[i]];
    }
    t->head = lines[order[0]];
    return t;
  }();
  return *ten;
}

inline void Chase() {
  const char* p = TenPagesOnce().head;
  const char* last = p;
  while (p != nullptr) {
    last = p;
    p = *reinterpret_cast<const char* const*>(p);
  }
  static volatile const char* sink;
  sink = last;
}

inline void Scatter() {
  const TenPages& t = TenPagesOnce();
  uintptr_t sum = 0;
  for (const char* a : t.addresses) {
    sum +=
        reinterpret_cast<uintptr_t>(*reinterpret_cast<const char* const*>(a));
  }
  static volatile uintptr_t sink;
  sink = sum;
}

// Scatter's ten lines, each incremented with a locked instruction (as a
// mutex's lock and unlock and a reference count are) instead of read: what
// locked instructions, each of which waits for the loads and stores before
// it, cost a call after a pause.
inline void Locked() {
  const TenPages& t = TenPagesOnce();
  for (const char* a : t.addresses) {
    auto* counter = reinterpret_cast<uint64_t*>(const_cast<char*>(a) + 8);
    __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
  }
}

// One byte written to a cache line of the program's own.
inline void Touch() {
  alignas(64) static volatile char line[64];
  line[0] = static_cast<char>(line[0] + 1);
}

// Reads a byte of every 64-byte line of the 32 KiB around `code` (the
// code of a function, read as data) that lies within the program's text
// (from the linker's __executable_start to its etext; nothing for code
// outside it, as a shared library's): its lines, and the
// translations of its pages, are then in the caches and TLBs that
// instruction fetches are served from.
inline void ReadCodeAround(const void* code) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(code);
  const uintptr_t text_begin = reinterpret_cast<uintptr_t>(__executable_start);
  const uintptr_t text_end = reinterpret_cast<uintptr_t>(etext);
  if (at < text_begin || at >= text_end) return;  // not the program's code
  const uintptr_t begin = at - text_begin > 16384 ? at - 16384 : text_begin;
  const uintptr_t end = text_end - at > 16384 ? at + 16384 : text_end;
  uintptr_t sum = 0;
  for (uintptr_t line = begin; line < end; line += 64) {
    sum += *reinterpret_cast<const volatile char*>(line);
  }
  static volatile uintptr_t sink;
  sink = sum;
}

// Busy-waits for `duration` on the calling thread's CPU.
inline void SpinFor(std::chrono::steady_clock::duration duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
  }
}

}  // namespace loadgen

#endif  // SENTRY_EXAMPLES_LOADGEN_REFERENCE_CALLS_H_
