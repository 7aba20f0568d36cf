// Cow<T>: a copy-on-write handle, the building block of cheap scope forks.
//
// Copying a Cow shares the value (one atomic increment); Mut() copies it first
// when it is shared, so a copy can never write into another one's value.
//
//   Cow<std::map<std::string, std::string>> a;
//   a.Mut()["k"] = "v";
//   Cow<...> b = a;       // O(1), shares the map
//   b.Mut()["k"] = "w";   // b copies; a still reads "v"
//
// Thread-safety: like a shared_ptr, distinct Cow objects may be used from
// different threads; one Cow object needs external synchronization. The
// uniqueness check is an acquire load, so a value released by another thread
// is fully read before it is mutated here (visible to ThreadSanitizer).
#ifndef SENTRY_SDK_SRC_COW_H_
#define SENTRY_SDK_SRC_COW_H_

#include <atomic>
#include <utility>

namespace sentry::internal {

// A value and its reference count.
template <typename T>
struct CowNode {
  explicit CowNode(T v) : value(std::move(v)) {}
  std::atomic<int> refs{1};
  T value;
};

template <typename T>
class Cow {
 public:
  Cow() = default;
  explicit Cow(T value) : node_(new Node(std::move(value))) {}
  Cow(const Cow& other) : node_(other.node_) {
    if (node_ != nullptr) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Cow(Cow&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Cow& operator=(Cow other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ~Cow() { Release(node_); }

  // The value; a default-constructed T when none was ever set.
  const T& get() const { return node_ != nullptr ? node_->value : Empty(); }
  const T* operator->() const { return &get(); }
  // Whether a value was set: when not, get() gives the shared empty T
  // (whose guard a hot path may not want to read).
  bool has_value() const { return node_ != nullptr; }

  // The value for writing, copied first if shared.
  T& Mut() {
    if (node_ == nullptr) {
      node_ = new Node(T());
    } else if (node_->refs.load(std::memory_order_acquire) != 1) {
      Node* copy = new Node(node_->value);
      Release(node_);
      node_ = copy;
    }
    return node_->value;
  }

  // Forgets the value (reads give an empty T again).
  void Reset() { Release(std::exchange(node_, nullptr)); }

  bool SharesWith(const Cow& other) const { return node_ == other.node_; }

  // For a class whose public header holds a CowNode<T>* (so as not to
  // include this file): gives up the node with the reference this Cow held,
  // takes one over, or shares one (one more reference).
  CowNode<T>* ReleaseNode() { return std::exchange(node_, nullptr); }
  static Cow Adopt(CowNode<T>* node) {
    Cow cow;
    cow.node_ = node;
    return cow;
  }
  static Cow Share(CowNode<T>* node) {
    if (node != nullptr) node->refs.fetch_add(1, std::memory_order_relaxed);
    return Adopt(node);
  }

 private:
  using Node = CowNode<T>;

  static void Release(Node* node) {
    if (node != nullptr &&
        node->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete node;
    }
  }

  static const T& Empty() {
    static const T* const empty = new T();
    return *empty;
  }

  Node* node_ = nullptr;
};

}  // namespace sentry::internal

#endif  // SENTRY_SDK_SRC_COW_H_
