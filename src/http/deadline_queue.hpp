// Per-connection timeouts in O(1): one queue per timeout length. Every entry of a queue gets the
// same length, so entries appended later expire later and each queue stays sorted by itself;
// the earliest deadline is always at its front. Entries are intrusive links embedded in the
// connection, so arming, re-arming and cancelling never allocate.
#pragma once

#include <chrono>
#include <cstdint>

namespace ssoc::http {

using Clock = std::chrono::steady_clock;

class DeadlineQueue;

struct DeadlineLink {
  DeadlineLink() = default;
  DeadlineLink(const DeadlineLink&) = delete;
  DeadlineLink& operator=(const DeadlineLink&) = delete;
  ~DeadlineLink();

  std::uint64_t owner_id = 0;  // which connection this is (set by the owner)
  Clock::time_point deadline;
  DeadlineQueue* queue = nullptr;  // null: not armed
  DeadlineLink* prev = nullptr;
  DeadlineLink* next = nullptr;

  void cancel();
};

class DeadlineQueue {
 public:
  explicit DeadlineQueue(Clock::duration length) : length_(length) {}
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;
  ~DeadlineQueue() {
    while (head_) head_->cancel();
  }

  // Arms `link` to expire `length` after `now` (leaving any queue it was in).
  void arm(DeadlineLink& link, Clock::time_point now) {
    link.cancel();
    link.deadline = now + length_;
    link.queue = this;
    link.prev = tail_;
    link.next = nullptr;
    (tail_ ? tail_->next : head_) = &link;
    tail_ = &link;
  }

  // The entry that expires first, or null.
  DeadlineLink* front() const { return head_; }

 private:
  friend struct DeadlineLink;
  void unlink(DeadlineLink& link) {
    (link.prev ? link.prev->next : head_) = link.next;
    (link.next ? link.next->prev : tail_) = link.prev;
  }

  Clock::duration length_;
  DeadlineLink* head_ = nullptr;
  DeadlineLink* tail_ = nullptr;
};

inline void DeadlineLink::cancel() {
  if (!queue) return;
  queue->unlink(*this);
  queue = nullptr;
  prev = next = nullptr;
}

inline DeadlineLink::~DeadlineLink() {
  cancel();
}

}  // namespace ssoc::http
