#include "info_codec.hpp"

namespace ssoc::nethsm {
namespace {

template <std::size_t N>
void write_chars(Writer& out, const unsigned char (&field)[N]) {
  out.raw(ByteView(field, N));
}

template <std::size_t N>
bool read_chars(Reader& in, unsigned char (&field)[N]) {
  return in.fixed(std::span<std::uint8_t>(field, N));
}

void write_version(Writer& out, const CK_VERSION& v) {
  out.u8(v.major);
  out.u8(v.minor);
}

bool read_version(Reader& in, CK_VERSION& v) {
  return in.u8(v.major) && in.u8(v.minor);
}

}  // namespace

void write_info(Writer& out, const CK_INFO& info) {
  write_version(out, info.cryptokiVersion);
  write_chars(out, info.manufacturerID);
  out.ulong(info.flags);
  write_chars(out, info.libraryDescription);
  write_version(out, info.libraryVersion);
}

bool read_info(Reader& in, CK_INFO& info) {
  return read_version(in, info.cryptokiVersion) && read_chars(in, info.manufacturerID) &&
         in.ulong(info.flags) && read_chars(in, info.libraryDescription) &&
         read_version(in, info.libraryVersion);
}

void write_slot_info(Writer& out, const CK_SLOT_INFO& info) {
  write_chars(out, info.slotDescription);
  write_chars(out, info.manufacturerID);
  out.ulong(info.flags);
  write_version(out, info.hardwareVersion);
  write_version(out, info.firmwareVersion);
}

bool read_slot_info(Reader& in, CK_SLOT_INFO& info) {
  return read_chars(in, info.slotDescription) && read_chars(in, info.manufacturerID) &&
         in.ulong(info.flags) && read_version(in, info.hardwareVersion) &&
         read_version(in, info.firmwareVersion);
}

void write_token_info(Writer& out, const CK_TOKEN_INFO& info) {
  write_chars(out, info.label);
  write_chars(out, info.manufacturerID);
  write_chars(out, info.model);
  write_chars(out, info.serialNumber);
  out.ulong(info.flags);
  for (CK_ULONG v :
       {info.ulMaxSessionCount, info.ulSessionCount, info.ulMaxRwSessionCount,
        info.ulRwSessionCount, info.ulMaxPinLen, info.ulMinPinLen, info.ulTotalPublicMemory,
        info.ulFreePublicMemory, info.ulTotalPrivateMemory, info.ulFreePrivateMemory}) {
    out.ulong(v);
  }
  write_version(out, info.hardwareVersion);
  write_version(out, info.firmwareVersion);
  write_chars(out, info.utcTime);
}

bool read_token_info(Reader& in, CK_TOKEN_INFO& info) {
  if (!read_chars(in, info.label) || !read_chars(in, info.manufacturerID) ||
      !read_chars(in, info.model) || !read_chars(in, info.serialNumber) || !in.ulong(info.flags)) {
    return false;
  }
  for (CK_ULONG* v :
       {&info.ulMaxSessionCount, &info.ulSessionCount, &info.ulMaxRwSessionCount,
        &info.ulRwSessionCount, &info.ulMaxPinLen, &info.ulMinPinLen, &info.ulTotalPublicMemory,
        &info.ulFreePublicMemory, &info.ulTotalPrivateMemory, &info.ulFreePrivateMemory}) {
    if (!in.ulong(*v)) return false;
  }
  return read_version(in, info.hardwareVersion) && read_version(in, info.firmwareVersion) &&
         read_chars(in, info.utcTime);
}

void write_session_info(Writer& out, const CK_SESSION_INFO& info) {
  out.ulong(info.slotID);
  out.ulong(info.state);
  out.ulong(info.flags);
  out.ulong(info.ulDeviceError);
}

bool read_session_info(Reader& in, CK_SESSION_INFO& info) {
  return in.ulong(info.slotID) && in.ulong(info.state) && in.ulong(info.flags) &&
         in.ulong(info.ulDeviceError);
}

void write_mechanism_info(Writer& out, const CK_MECHANISM_INFO& info) {
  out.ulong(info.ulMinKeySize);
  out.ulong(info.ulMaxKeySize);
  out.ulong(info.flags);
}

bool read_mechanism_info(Reader& in, CK_MECHANISM_INFO& info) {
  return in.ulong(info.ulMinKeySize) && in.ulong(info.ulMaxKeySize) && in.ulong(info.flags);
}

void write_list(Writer& out, const CK_ULONG* items, std::size_t count) {
  out.ulong(count);
  for (std::size_t i = 0; i < count; ++i) out.ulong(items[i]);
}

bool read_list(Reader& in, std::vector<CK_ULONG>& items) {
  std::size_t n = 0;
  if (!in.count(8, n)) return false;
  std::vector<CK_ULONG> decoded(n);
  for (CK_ULONG& item : decoded) {
    if (!in.ulong(item)) return false;
  }
  items = std::move(decoded);
  return true;
}

}  // namespace ssoc::nethsm
