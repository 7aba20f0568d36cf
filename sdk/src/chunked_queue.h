// ChunkedQueue: the FIFO of a producer/consumer hand-over, kept in
// fixed-size chunks that are recycled. Its memory follows what is queued (a
// burst's chunks are freed once it is consumed, beyond a few kept spare),
// nothing is moved when it grows (a vector's doubling leaves a trail of
// freed arrays behind it, about as large as the queue itself), and in a
// steady state nothing is allocated or freed.
//
//   ChunkedQueue<Work> queue;                // guarded by the caller's lock
//   queue.push_back(std::move(work));        // producer, under the lock
//   ChunkedQueue<Work>::Batch batch = queue.TakeAll();  // consumer, locked
//   batch.Drain([](Work& w) { ... });        // outside the lock
//   queue.Recycle(std::move(batch));         // under the lock again
//
// Not thread-safe: the caller's lock guards it.
#ifndef SENTRY_SDK_SRC_CHUNKED_QUEUE_H_
#define SENTRY_SDK_SRC_CHUNKED_QUEUE_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace sentry::internal {

template <typename T, size_t kChunkSize = 64, size_t kSpareChunks = 4>
class ChunkedQueue {
 public:
  // Elements taken out of the queue at once, oldest first.
  class Batch {
   public:
    size_t size() const {
      size_t n = 0;
      for (const auto& chunk : chunks_) n += chunk.size();
      return n;
    }
    bool empty() const { return chunks_.empty(); }
    // Calls `f` on each element, oldest first, destroying each chunk's
    // elements once it is done with them (the chunks keep their capacity).
    template <typename F>
    void Drain(F f) {
      for (auto& chunk : chunks_) {
        for (T& element : chunk) f(element);
        chunk.clear();
      }
    }

   private:
    friend class ChunkedQueue;
    std::vector<std::vector<T>> chunks_;
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push_back(T element) {
    MakeRoom();
    chunks_.back().push_back(std::move(element));
    ++size_;
  }
  // A default-constructed element at the back, to be filled in place.
  T& emplace_back() {
    MakeRoom();
    ++size_;
    return chunks_.back().emplace_back();
  }

  Batch TakeAll() {
    Batch batch;
    batch.chunks_.swap(chunks_);
    // The list of chunks a batch gave back: the next push allocates nothing.
    chunks_.swap(spare_list_);
    size_ = 0;
    return batch;
  }

  // Takes back a batch's chunks (Drain it first, outside the caller's lock:
  // destroying elements may be costly): a few are kept for later pushes, the
  // rest freed.
  void Recycle(Batch batch) {
    for (auto& chunk : batch.chunks_) {
      if (spare_.size() >= kSpareChunks) break;
      chunk.clear();
      spare_.push_back(std::move(chunk));
    }
    batch.chunks_.clear();
    if (spare_list_.capacity() == 0 &&
        batch.chunks_.capacity() <= kSpareListCapacity) {
      spare_list_.swap(batch.chunks_);
    }
  }

 private:
  void MakeRoom() {
    if (chunks_.empty() || chunks_.back().size() == kChunkSize) {
      if (!spare_.empty()) {
        chunks_.push_back(std::move(spare_.back()));
        spare_.pop_back();
      } else {
        chunks_.emplace_back();
        chunks_.back().reserve(kChunkSize);
      }
    }
  }

  std::vector<std::vector<T>> chunks_;
  std::vector<std::vector<T>> spare_;
  // Empty; kept for TakeAll unless a burst grew it beyond this.
  std::vector<std::vector<T>> spare_list_;
  static constexpr size_t kSpareListCapacity = 64;
  size_t size_ = 0;
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_CHUNKED_QUEUE_H_
