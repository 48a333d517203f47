#include "http/connection.hpp"

namespace ssoc::http {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Buffers that grew past this for one large request are given back once it is consumed.
constexpr std::size_t kKeptCapacity = 64 * 1024;

}  // namespace

Connection::Connection(std::uint64_t id, Transport transport, std::string peer,
                       const ConnectionLimits& limits, const ErrorPages& error_pages)
    : transport_(std::move(transport)),
      peer_(std::move(peer)),
      limits_(limits),
      error_pages_(error_pages),
      phase_(transport_.is_tls() ? Phase::Handshake : Phase::ReadingHead) {
  timer_.owner_id = id;
}

Connection::Next Connection::drive(std::span<char> scratch) {
  for (;;) {
    switch (phase_) {
      case Phase::Handshake:
        switch (transport_.handshake()) {
          case IoStatus::Done: phase_ = Phase::ReadingHead; break;
          case IoStatus::WouldBlock: return Next::Wait;
          case IoStatus::Closed: return Next::Close;
        }
        break;
      case Phase::Idle:
      case Phase::ReadingHead:
      case Phase::ReadingBody:
        switch (parse_input()) {
          case Progress::Complete: return Next::Dispatch;
          case Progress::Refused: break;  // now Writing
          case Progress::NeedMore:
            if (auto stop = read_more(scratch)) return *stop;
            break;
        }
        break;
      case Phase::Handling: return Next::Wait;
      case Phase::Writing:
        if (auto stop = write_pending()) return *stop;
        after_response();
        break;
      case Phase::Lingering: return discard_input(scratch);
    }
  }
}

std::optional<Connection::Next> Connection::read_more(std::span<char> scratch) {
  if (output_sent_ < output_.size()) {  // the interim 100 Continue goes first
    if (auto stop = write_pending()) return stop;
    output_.clear();
    output_sent_ = 0;
  }
  IoResult result = transport_.read(scratch.data(), scratch.size());
  if (result.status == IoStatus::WouldBlock) return Next::Wait;
  if (result.status == IoStatus::Closed) return Next::Close;
  input_.append(scratch.data(), result.count);
  return std::nullopt;
}

std::optional<Connection::Next> Connection::write_pending() {
  while (output_sent_ < output_.size()) {
    IoResult result =
        transport_.write(output_.data() + output_sent_, output_.size() - output_sent_);
    if (result.status == IoStatus::WouldBlock) return Next::Wait;
    if (result.status == IoStatus::Closed) return Next::Close;
    output_sent_ += result.count;
  }
  return std::nullopt;
}

void Connection::after_response() {
  output_ = std::string();
  output_sent_ = 0;
  if (close_after_write_) {
    transport_.finish_sending();
    input_ = std::string();
    phase_ = Phase::Lingering;
  } else {
    phase_ = input_.empty() ? Phase::Idle : Phase::ReadingHead;
  }
}

Connection::Next Connection::discard_input(std::span<char> scratch) {
  for (;;) {
    IoResult result = transport_.discard(scratch.data(), scratch.size());
    if (result.status == IoStatus::WouldBlock) return Next::Wait;
    if (result.status == IoStatus::Closed) return Next::Close;
    discarded_ += result.count;
    if (discarded_ > limits_.max_header_bytes + limits_.max_body_bytes) return Next::Close;
  }
}

Connection::Progress Connection::parse_input() {
  if (phase_ != Phase::ReadingBody) {
    std::size_t blank = 0;
    while (input_.size() >= blank + 2 && input_[blank] == '\r' && input_[blank + 1] == '\n')
      blank += 2;
    input_.erase(0, blank);
    if (input_.empty()) return Progress::NeedMore;
    phase_ = Phase::ReadingHead;
    std::optional<std::size_t> end = find_head_end(input_, scanned_);
    if (!end) return input_.size() > limits_.max_header_bytes ? refuse(431) : Progress::NeedMore;
    if (*end > limits_.max_header_bytes) return refuse(431);
    HeadOutcome outcome =
        parse_request_head(std::string_view(input_).substr(0, *end), limits_.max_body_bytes);
    if (auto* refusal = std::get_if<HeadRefusal>(&outcome)) return refuse(refusal->status);
    head_ = std::move(std::get<RequestHead>(outcome));
    head_length_ = *end;
    scanned_ = 0;
    phase_ = Phase::ReadingBody;
    if (head_->expect_continue && head_->minor_version == 1 &&
        input_.size() < head_length_ + head_->content_length) {
      output_ = kContinue;
      output_sent_ = 0;
    }
  }
  std::size_t total = head_length_ + head_->content_length;
  if (input_.size() < total) return Progress::NeedMore;
  body_.assign(input_, head_length_, head_->content_length);
  input_.erase(0, total);
  if (input_.capacity() > kKeptCapacity) input_ = std::string(input_);
  if (output_sent_ == 0) output_.clear();  // a 100 Continue not begun is no longer needed
  phase_ = Phase::Handling;
  return Progress::Complete;
}

Connection::Progress Connection::refuse(int status) {
  output_ = error_pages_.bytes(status);
  output_sent_ = 0;
  close_after_write_ = true;
  input_ = std::string();
  head_.reset();
  phase_ = Phase::Writing;
  return Progress::Refused;
}

PendingRequest Connection::take_request() {
  PendingRequest pending;
  Request& request = pending.request;
  request.method = std::move(head_->method);
  request.target = std::move(head_->target);
  request.path = std::move(head_->path);
  request.query = std::move(head_->query);
  request.headers = std::move(head_->headers);
  request.body = std::move(body_);
  request.peer = peer_;
  pending.framing.close = !head_->keep_alive;
  pending.framing.http10 = head_->minor_version == 0;
  pending.framing.head_request = request.method == "HEAD";
  head_.reset();
  body_ = std::string();
  return pending;
}

void Connection::respond(std::string bytes, bool close_after) {
  if (output_sent_ < output_.size()) {  // the rest of a 100 Continue goes first
    output_.erase(0, output_sent_);
    output_ += bytes;
  } else {
    output_ = std::move(bytes);
  }
  output_sent_ = 0;
  close_after_write_ = close_after;
  phase_ = Phase::Writing;
}

Connection::Next Connection::expire(std::span<char> scratch) {
  bool partial_request =
      phase_ == Phase::ReadingBody || (phase_ == Phase::ReadingHead && !input_.empty());
  if (!partial_request) return Next::Close;
  refuse(408);
  return drive(scratch);
}

}  // namespace ssoc::http
