#include "remote_module.hpp"

#include <cstdio>
#include <string>

namespace ssoc::nethsm {

Request::Request(Fn function) : fn(function) {
  args.u32(0);  // request id, set by round_trip()
  args.u32(static_cast<std::uint32_t>(function));
}

RemoteModule& RemoteModule::instance() {
  static RemoteModule module;
  return module;
}

CK_RV RemoteModule::initialize(CK_VOID_PTR init_args) {
  std::lock_guard lock(mutex_);
  if (initialized_) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  const char* init_string = nullptr;
  if (init_args != nullptr) {
    const auto* args = static_cast<const CK_C_INITIALIZE_ARGS*>(init_args);
    const int callbacks = (args->CreateMutex != nullptr) + (args->DestroyMutex != nullptr) +
                          (args->LockMutex != nullptr) + (args->UnlockMutex != nullptr);
    if (callbacks != 0 && callbacks != 4) return CKR_ARGUMENTS_BAD;
    // We lock with the OS only; an application that insists on its own mutexes cannot use us.
    if (callbacks == 4 && (args->flags & CKF_OS_LOCKING_OK) == 0) return CKR_CANT_LOCK;
    init_string = static_cast<const char*>(args->pReserved);
  }
  ClientConfig config;
  std::string error;
  if (!load_client_config(init_string, config, error)) {
    std::fprintf(stderr, "ssoc_nethsm_client: C_Initialize: %s\n", error.c_str());
    return CKR_ARGUMENTS_BAD;
  }
  config_ = std::move(config);
  initialized_ = true;
  return CKR_OK;
}

CK_RV RemoteModule::finalize(CK_VOID_PTR reserved) {
  std::lock_guard lock(mutex_);
  if (!initialized_) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (reserved != nullptr) return CKR_ARGUMENTS_BAD;
  // The server closes this connection's sessions; the real module stays initialised there.
  fd_.reset();
  sessions_.clear();
  initialized_ = false;
  return CKR_OK;
}

CK_RV RemoteModule::exchange(Request& request, Reply& reply) {
  NETHSM_TRY(ensure_connected());
  return round_trip(request, reply);
}

CK_RV RemoteModule::bad_reply() {
  return drop_connection("malformed reply");
}

CK_RV RemoteModule::resolve_session(CK_SESSION_HANDLE handle, CK_SESSION_HANDLE& remote) {
  NETHSM_TRY(ensure_connected());
  const auto it = sessions_.find(handle);
  if (it == sessions_.end() || it->second.generation != generation_) {
    return CKR_SESSION_HANDLE_INVALID;
  }
  remote = it->second.remote;
  return CKR_OK;
}

CK_SESSION_HANDLE RemoteModule::add_session(CK_SESSION_HANDLE remote, CK_SLOT_ID slot) {
  const CK_SESSION_HANDLE handle = next_session_++;
  sessions_[handle] = Session{generation_, remote, slot};
  return handle;
}

void RemoteModule::remove_session(CK_SESSION_HANDLE handle) {
  sessions_.erase(handle);
}

void RemoteModule::remove_sessions_of_slot(CK_SLOT_ID slot) {
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.slot == slot; });
}

CK_RV RemoteModule::ensure_connected() {
  // A server that went away (or restarted) between calls: connect again rather than fail.
  if (fd_.valid() && idle_connection_broken(fd_.get())) {
    drop_connection("closed by the server while idle");
  }
  if (fd_.valid()) return CKR_OK;
  std::string error;
  const IoStatus status = connect_unix(config_.socket_path, deadline_, fd_, error);
  if (status != IoStatus::kOk) {
    if (config_.debug) std::fprintf(stderr, "ssoc_nethsm_client: %s\n", error.c_str());
    return CKR_DEVICE_ERROR;
  }
  Request hello(Fn::kHello);
  hello.args.raw(kMagic);
  hello.args.u32(kVersion);
  Reply reply;
  NETHSM_TRY(round_trip(hello, reply));
  Reader in = reply.payload();
  std::uint32_t version = 0;
  if (reply.rv != CKR_OK || !in.u32(version) || version != kVersion || !in.at_end()) {
    return drop_connection("the server speaks another protocol version");
  }
  ++generation_;
  // Sessions of earlier connections are gone on the server.
  std::erase_if(sessions_,
                [&](const auto& entry) { return entry.second.generation != generation_; });
  return CKR_OK;
}

CK_RV RemoteModule::round_trip(Request& request, Reply& reply) {
  if (request.args.size() > kMaxFrameBody) return CKR_DEVICE_MEMORY;
  const std::uint32_t id = next_request_id_++;
  request.args.patch_u32(0, id);
  IoStatus status = send_frame(fd_.get(), request.args.data(), deadline_);
  if (status == IoStatus::kOk) status = receive_frame(fd_.get(), reply.body, deadline_);
  if (status != IoStatus::kOk) return drop_connection(io_status_name(status));
  Reader header(reply.body);
  std::uint32_t reply_id = 0;
  std::uint32_t reply_fn = 0;
  std::uint64_t rv = 0;
  if (!header.u32(reply_id) || !header.u32(reply_fn) || !header.u64(rv) || reply_id != id ||
      reply_fn != static_cast<std::uint32_t>(request.fn)) {
    return drop_connection("reply does not match the request");
  }
  reply.rv = static_cast<CK_RV>(rv);
  return CKR_OK;
}

CK_RV RemoteModule::drop_connection(const char* why) {
  if (config_.debug) {
    std::fprintf(stderr, "ssoc_nethsm_client: connection to %s lost: %s\n",
                 config_.socket_path.c_str(), why);
  }
  fd_.reset();
  return CKR_DEVICE_ERROR;
}

}  // namespace ssoc::nethsm
