#include "pkcs11/session.hpp"

#include <utility>

#include "pkcs11/rv.hpp"

namespace ssoc::pkcs11 {

CK_USER_TYPE to_ck(UserType type) {
  return type == UserType::CryptoUser ? CKU_CRYPTO_USER_LUNA : CKU_USER;
}

Result<Session> Session::open(const Module& module, CK_SLOT_ID slot, bool read_write) {
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  TRY(check(module.fn()->C_OpenSession(slot, flags, nullptr, nullptr, &handle), "C_OpenSession"));
  return Session(module.fn(), handle, slot);
}

Session::Session(Session&& other) noexcept
    : fn_(std::exchange(other.fn_, nullptr)),
      handle_(std::exchange(other.handle_, CK_INVALID_HANDLE)),
      slot_(other.slot_) {}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    release();
    fn_ = std::exchange(other.fn_, nullptr);
    handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
    slot_ = other.slot_;
  }
  return *this;
}

Session::~Session() {
  release();
}

void Session::release() noexcept {
  if (fn_ != nullptr && handle_ != CK_INVALID_HANDLE) fn_->C_CloseSession(handle_);
  fn_ = nullptr;
  handle_ = CK_INVALID_HANDLE;
}

Result<void> Session::login(UserType type, const SecretBytes& pin) {
  // C_Login takes a non-const pointer; the PIN is not modified. A copy keeps the const promise.
  SecretBytes copy = pin;
  CK_RV rv = fn_->C_Login(handle_, to_ck(type), copy.data(), copy.size());
  if (rv == CKR_USER_ALREADY_LOGGED_IN) return success();
  return check(rv, "C_Login");
}

Result<std::vector<CK_OBJECT_HANDLE>> Session::find(std::span<CK_ATTRIBUTE> query,
                                                    std::size_t max) const {
  ObjectFinder finder = TRY(ObjectFinder::start(*this, query));
  return finder.next(max);
}

Result<CK_OBJECT_HANDLE> Session::create_object(std::span<CK_ATTRIBUTE> attributes) const {
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  TRY(check(fn_->C_CreateObject(handle_, attributes.data(), attributes.size(), &object),
            "C_CreateObject"));
  return object;
}

Result<CK_OBJECT_HANDLE> Session::generate_key(CK_MECHANISM_TYPE mechanism,
                                               std::span<CK_ATTRIBUTE> attributes) const {
  CK_MECHANISM mech{mechanism, nullptr, 0};
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  TRY(check(fn_->C_GenerateKey(handle_, &mech, attributes.data(), attributes.size(), &key),
            "C_GenerateKey"));
  return key;
}

Result<void> Session::destroy_object(CK_OBJECT_HANDLE object) const {
  return check(fn_->C_DestroyObject(handle_, object), "C_DestroyObject");
}

Result<void> Session::set_attributes(CK_OBJECT_HANDLE object,
                                     std::span<CK_ATTRIBUTE> attributes) const {
  return check(fn_->C_SetAttributeValue(handle_, object, attributes.data(), attributes.size()),
               "C_SetAttributeValue");
}

Result<Bytes> Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  CK_ATTRIBUTE query{type, nullptr, 0};
  TRY(check(fn_->C_GetAttributeValue(handle_, object, &query, 1), "C_GetAttributeValue"));
  if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION)
    return Error{Cause::HsmError, "C_GetAttributeValue: the attribute is unavailable",
                 CKR_ATTRIBUTE_SENSITIVE};
  Bytes value(query.ulValueLen);
  query.pValue = value.data();
  TRY(check(fn_->C_GetAttributeValue(handle_, object, &query, 1), "C_GetAttributeValue"));
  value.resize(query.ulValueLen);
  return value;
}

Result<bool> Session::bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  Bytes value = TRY(attribute(object, type));
  if (value.size() != sizeof(CK_BBOOL))
    return fail(Cause::HsmError, "C_GetAttributeValue returned a boolean of the wrong size");
  return value[0] != CK_FALSE;
}

Result<SecretBytes> Session::random(std::size_t size) const {
  SecretBytes out(size);
  TRY(check(fn_->C_GenerateRandom(handle_, out.data(), out.size()), "C_GenerateRandom"));
  return out;
}

Result<ObjectFinder> ObjectFinder::start(const Session& session, std::span<CK_ATTRIBUTE> query) {
  TRY(check(session.fn()->C_FindObjectsInit(session.handle(), query.data(), query.size()),
            "C_FindObjectsInit"));
  return ObjectFinder(&session);
}

ObjectFinder::ObjectFinder(ObjectFinder&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)) {}

ObjectFinder::~ObjectFinder() {
  if (session_ != nullptr) session_->fn()->C_FindObjectsFinal(session_->handle());
}

Result<std::vector<CK_OBJECT_HANDLE>> ObjectFinder::next(std::size_t max) {
  std::vector<CK_OBJECT_HANDLE> found(max);
  CK_ULONG count = 0;
  TRY(check(session_->fn()->C_FindObjects(session_->handle(), found.data(), found.size(), &count),
            "C_FindObjects"));
  found.resize(count);
  return found;
}

CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, ByteView bytes) {
  return CK_ATTRIBUTE{type, const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
}

CK_ATTRIBUTE attr_text(CK_ATTRIBUTE_TYPE type, const std::string& text) {
  return CK_ATTRIBUTE{type, const_cast<char*>(text.data()), text.size()};
}

}  // namespace ssoc::pkcs11
