// The client's state: configuration, the connection to ssoc_nethsm_server, and the table that
// maps the session handles this module hands out to the server's.
//
// One request is in flight at a time (a mutex serialises calls). Each call has a deadline of
// timeout_ms from its start, covering a reconnect too. When the connection fails (timeout, EOF,
// socket error, malformed reply) it is closed and the call returns CKR_DEVICE_ERROR; the next
// call connects again (so does a call that finds the connection closed by the server since the
// last one; a server restarted between two calls costs no failed call). Sessions belong to the
// connection that opened them: after a reconnect, their handles give CKR_SESSION_HANDLE_INVALID
// (the server closed them when the old connection ended). Client session handles are never reused.
#pragma once

#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_map>

#include "../common/protocol.hpp"
#include "../common/socket_io.hpp"
#include "client_config.hpp"

#pragma GCC visibility push(hidden)

// Returns from the enclosing function when `expr` is not CKR_OK.
#define NETHSM_TRY(expr)             \
  do {                               \
    const CK_RV nethsm_rv_ = (expr); \
    if (nethsm_rv_ != CKR_OK) {      \
      return nethsm_rv_;             \
    }                                \
  } while (false)

namespace ssoc::nethsm {

// A request being built: header (request id patched in when sent, function) then arguments.
struct Request {
  explicit Request(Fn function);
  Fn fn;
  Writer args;
};

struct Reply {
  CK_RV rv = CKR_GENERAL_ERROR;  // the module's return value, as the server reports it
  Buffer body;
  Reader payload() const { return Reader(ByteView(body).subspan(kReplyHeaderSize)); }
};

class RemoteModule {
 public:
  static RemoteModule& instance();

  CK_RV initialize(CK_VOID_PTR init_args);
  CK_RV finalize(CK_VOID_PTR reserved);

  // Runs `body(*this)` under the lock with a fresh deadline. CKR_CRYPTOKI_NOT_INITIALIZED before
  // C_Initialize; no exception leaves (CKR_HOST_MEMORY, CKR_GENERAL_ERROR).
  template <class F>
  CK_RV run(F&& body) noexcept {
    try {
      std::lock_guard lock(mutex_);
      if (!initialized_) return CKR_CRYPTOKI_NOT_INITIALIZED;
      deadline_ = Clock::now() + std::chrono::milliseconds(config_.timeout_ms);
      return body(*this);
    } catch (const std::bad_alloc&) {
      return CKR_HOST_MEMORY;
    } catch (...) {
      return CKR_GENERAL_ERROR;
    }
  }

  // --- inside run() ---

  // Sends `request` (connecting first if needed) and receives its reply. CKR_OK when a reply
  // came (its rv is in `reply`); CKR_DEVICE_ERROR when the server cannot be reached in time;
  // CKR_DEVICE_MEMORY when the request is larger than a frame.
  CK_RV exchange(Request& request, Reply& reply);
  // For a reply whose payload is malformed: drops the connection, returns CKR_DEVICE_ERROR.
  CK_RV bad_reply();
  // The server's handle for `handle`, connecting first if needed.
  CK_RV resolve_session(CK_SESSION_HANDLE handle, CK_SESSION_HANDLE& remote);
  CK_SESSION_HANDLE add_session(CK_SESSION_HANDLE remote, CK_SLOT_ID slot);
  void remove_session(CK_SESSION_HANDLE handle);
  void remove_sessions_of_slot(CK_SLOT_ID slot);

 private:
  struct Session {
    std::uint64_t generation;
    CK_SESSION_HANDLE remote;
    CK_SLOT_ID slot;
  };

  CK_RV ensure_connected();
  CK_RV round_trip(Request& request, Reply& reply);
  CK_RV drop_connection(const char* why);

  std::mutex mutex_;
  bool initialized_ = false;
  ClientConfig config_;
  Clock::time_point deadline_{};
  UniqueFd fd_;
  std::uint64_t generation_ = 0;  // +1 at each successful connect
  std::uint32_t next_request_id_ = 1;
  CK_SESSION_HANDLE next_session_ = 1;
  std::unordered_map<CK_SESSION_HANDLE, Session> sessions_;
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
