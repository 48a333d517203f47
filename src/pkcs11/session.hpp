// A PKCS#11 session (move-only RAII) and the object search it runs. The destructor closes the
// session and never calls C_Logout: that would log out every session of the application.
// A Session must not outlive the Module it was opened on.
#pragma once

#include <span>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "pkcs11/module.hpp"

namespace ssoc::pkcs11 {

enum class UserType {
  User,        // CKU_USER: Luna's Crypto Officer
  CryptoUser,  // Luna's Crypto User, 0x80000001
};

CK_USER_TYPE to_ck(UserType type);

class Session {
 public:
  static Result<Session> open(const Module& module, CK_SLOT_ID slot, bool read_write);

  Session(Session&& other) noexcept;
  Session& operator=(Session&& other) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Logs in; a token already logged in by this application is fine.
  Result<void> login(UserType type, const SecretBytes& pin);

  CK_FUNCTION_LIST* fn() const { return fn_; }
  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_SLOT_ID slot() const { return slot_; }

  // Objects matching the template, at most `max`.
  Result<std::vector<CK_OBJECT_HANDLE>> find(std::span<CK_ATTRIBUTE> query,
                                             std::size_t max = 16) const;
  Result<CK_OBJECT_HANDLE> create_object(std::span<CK_ATTRIBUTE> attributes) const;
  Result<CK_OBJECT_HANDLE> generate_key(CK_MECHANISM_TYPE mechanism,
                                        std::span<CK_ATTRIBUTE> attributes) const;
  Result<void> destroy_object(CK_OBJECT_HANDLE object) const;
  Result<void> set_attributes(CK_OBJECT_HANDLE object, std::span<CK_ATTRIBUTE> attributes) const;
  // The value of one attribute (two-call form). CKR_ATTRIBUTE_SENSITIVE and friends are errors.
  Result<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  Result<bool> bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  Result<SecretBytes> random(std::size_t size) const;

 private:
  Session(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE handle, CK_SLOT_ID slot)
      : fn_(fn), handle_(handle), slot_(slot) {}
  void release() noexcept;

  CK_FUNCTION_LIST* fn_ = nullptr;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
  CK_SLOT_ID slot_ = 0;
};

// One C_FindObjectsInit .. C_FindObjectsFinal operation (move-only RAII; Final on destruction).
class ObjectFinder {
 public:
  static Result<ObjectFinder> start(const Session& session, std::span<CK_ATTRIBUTE> query);
  ObjectFinder(ObjectFinder&& other) noexcept;
  ObjectFinder& operator=(ObjectFinder&&) = delete;
  ObjectFinder(const ObjectFinder&) = delete;
  ~ObjectFinder();

  // Up to `max` more handles; fewer (or none) when the search is exhausted.
  Result<std::vector<CK_OBJECT_HANDLE>> next(std::size_t max);

 private:
  explicit ObjectFinder(const Session* session) : session_(session) {}
  const Session* session_;
};

// Attribute-template helpers: CK_ATTRIBUTE pointing at caller-owned storage.
template <class T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T& value) {
  return CK_ATTRIBUTE{type, &value, sizeof(T)};
}
CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, ByteView bytes);
CK_ATTRIBUTE attr_text(CK_ATTRIBUTE_TYPE type, const std::string& text);

}  // namespace ssoc::pkcs11
