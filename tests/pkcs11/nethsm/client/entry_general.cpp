// General, slot and token functions of the nethsm client.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../common/info_codec.hpp"
#include "entry_points.hpp"
#include "remote_module.hpp"

namespace ssoc::nethsm::entry {
namespace {

// C_GetSlotList and C_GetMechanismList: `request` holds the leading argument; the caller's list
// (NULL = size query) and *count follow PKCS#11 (CKR_BUFFER_TOO_SMALL sets the needed count).
CK_RV list_call(RemoteModule& m, Request& request, CK_ULONG_PTR list, CK_ULONG_PTR count) {
  if (count == nullptr) return CKR_ARGUMENTS_BAD;
  const CK_ULONG capacity = std::min<CK_ULONG>(list != nullptr ? *count : 0, kMaxData / 8);
  request.args.out_buffer(list != nullptr, capacity);
  Reply reply;
  NETHSM_TRY(m.exchange(request, reply));
  Reader in = reply.payload();
  CK_ULONG needed = 0;
  std::vector<CK_ULONG> items;
  if (!in.ulong(needed) || !read_list(in, items) || !in.at_end()) return m.bad_reply();
  if (reply.rv == CKR_OK && list != nullptr) {
    if (items.size() != needed || needed > capacity) return m.bad_reply();
    std::copy(items.begin(), items.end(), list);
  }
  if (reply.rv == CKR_OK || reply.rv == CKR_BUFFER_TOO_SMALL) *count = needed;
  return reply.rv;
}

// Calls taking one ulong and returning one info struct.
template <class Info, class ReadFn>
CK_RV info_call(Fn fn, CK_ULONG argument, Info* info, ReadFn read) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (info == nullptr) return CKR_ARGUMENTS_BAD;
    Request request(fn);
    request.args.ulong(argument);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    Info decoded{};
    if (!read(in, decoded) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *info = decoded;
    return reply.rv;
  });
}

}  // namespace

CK_RV Initialize(CK_VOID_PTR init_args) {
  try {
    return remote().initialize(init_args);
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

CK_RV Finalize(CK_VOID_PTR reserved) {
  try {
    return remote().finalize(reserved);
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

CK_RV GetInfo(CK_INFO_PTR info) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (info == nullptr) return CKR_ARGUMENTS_BAD;
    Request request(Fn::kGetInfo);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_INFO decoded{};
    if (!read_info(in, decoded) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *info = decoded;
    return reply.rv;
  });
}

CK_RV GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    Request request(Fn::kGetSlotList);
    request.args.flag(token_present != CK_FALSE);
    return list_call(m, request, list, count);
  });
}

CK_RV GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  return info_call(Fn::kGetSlotInfo, slot, info, read_slot_info);
}

CK_RV GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  return info_call(Fn::kGetTokenInfo, slot, info, read_token_info);
}

CK_RV GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    Request request(Fn::kGetMechanismList);
    request.args.ulong(slot);
    return list_call(m, request, list, count);
  });
}

CK_RV GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (info == nullptr) return CKR_ARGUMENTS_BAD;
    Request request(Fn::kGetMechanismInfo);
    request.args.ulong(slot);
    request.args.ulong(type);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_MECHANISM_INFO decoded{};
    if (!read_mechanism_info(in, decoded) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *info = decoded;
    return reply.rv;
  });
}

}  // namespace ssoc::nethsm::entry
