#include "connection.hpp"

#include <sys/socket.h>

#include <cstdio>
#include <new>

#include "../common/protocol.hpp"
#include "../common/socket_io.hpp"
#include "client_context.hpp"
#include "request_handlers.hpp"

namespace ssoc::nethsm {
namespace {

struct RequestHeader {
  std::uint32_t id = 0;
  std::uint32_t fn = 0;
};

bool read_header(Reader& in, RequestHeader& header) {
  return in.u32(header.id) && in.u32(header.fn) && is_known_function(header.fn);
}

IoStatus send_reply(int fd, const RequestHeader& header, CK_RV rv, const Writer& payload) {
  Writer reply;
  reply.u32(header.id);
  reply.u32(header.fn);
  reply.u64(rv);
  reply.raw(payload.data());
  if (reply.size() > kMaxFrameBody) return IoStatus::kBadFrame;
  return send_frame(fd, reply.data(), std::nullopt);
}

// The first frame must be a hello with our magic and version. Null on success, else the reason.
const char* greet(int fd) {
  Buffer frame;
  const IoStatus status = receive_frame(fd, frame, std::nullopt);
  if (status != IoStatus::kOk) return io_status_name(status);
  Reader in(frame);
  RequestHeader header;
  ByteView magic;
  std::uint32_t version = 0;
  if (!read_header(in, header) || header.fn != static_cast<std::uint32_t>(Fn::kHello) ||
      !in.raw(kMagic.size(), magic) || !in.u32(version) || !in.at_end() ||
      std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic) {
    return "the first message is not a hello";
  }
  if (version != kVersion) return "the client speaks another protocol version";
  Writer payload;
  payload.u32(kVersion);
  const IoStatus sent = send_reply(fd, header, CKR_OK, payload);
  return sent == IoStatus::kOk ? nullptr : io_status_name(sent);
}

// Serves requests until the connection ends; returns why it ended (null: the client left).
const char* serve_requests(ClientContext& client, int fd) {
  Buffer frame;
  for (;;) {
    const IoStatus status = receive_frame(fd, frame, std::nullopt);
    if (status == IoStatus::kClosed) return nullptr;
    if (status != IoStatus::kOk) return io_status_name(status);
    Reader in(frame);
    RequestHeader header;
    if (!read_header(in, header)) return "unknown function";
    const Handler handler = find_handler(static_cast<Fn>(header.fn));
    if (handler == nullptr) return "unexpected hello";
    Writer payload;
    CK_RV rv = CKR_GENERAL_ERROR;
    if (!handler(client, in, payload, rv)) return "malformed request";
    const IoStatus sent = send_reply(fd, header, rv, payload);
    if (sent == IoStatus::kClosed) return nullptr;
    if (sent != IoStatus::kOk) return io_status_name(sent);
  }
}

}  // namespace

void serve_connection(CK_FUNCTION_LIST& module, int fd, unsigned long id) noexcept {
  const char* ended_because = nullptr;
  try {
    ClientContext client(module);  // closes the sessions when it goes away
    ended_because = greet(fd);
    if (ended_because == nullptr) ended_because = serve_requests(client, fd);
  } catch (const std::bad_alloc&) {
    ended_because = "out of memory";
  } catch (...) {
    ended_because = "internal error";
  }
  if (ended_because != nullptr) {
    std::fprintf(stderr, "ssoc_nethsm_server: connection %lu dropped: %s\n", id, ended_because);
  }
  ::shutdown(fd, SHUT_RDWR);  // the client sees the end now, not when the fd is reaped
}

}  // namespace ssoc::nethsm
