// A test shim around SQLite's real default VFS ("unix"): every call goes to it, and the shim
// records per kind of file whether bytes written since the last xSync (fsync) are still not
// synced, and can make writes fail with SQLITE_FULL. While an object lives it is the default
// VFS, so every database the store opens goes through it.
#pragma once

namespace ssoc::test {

enum class FileKind { Database, Wal, Journal, Other };

class SyncTrackingVfs {
 public:
  SyncTrackingVfs();   // registers the shim as the default VFS
  ~SyncTrackingVfs();  // unregisters it; no connection may be open then
  SyncTrackingVfs(const SyncTrackingVfs&) = delete;
  SyncTrackingVfs& operator=(const SyncTrackingVfs&) = delete;

  // Bytes were written to (or a truncate done on) a file of this kind since it was last synced.
  bool unsynced(FileKind kind) const;
  // Successful xSync calls on files of this kind so far.
  int syncs(FileKind kind) const;
  // While on, every xWrite fails with SQLITE_FULL (the disk is full).
  void fail_writes(bool on);
};

}  // namespace ssoc::test
