#include "sync_tracking_vfs.hpp"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace ssoc::test {
namespace {

constexpr int kKinds = 4;
std::array<std::atomic<bool>, kKinds> g_unsynced{};
std::array<std::atomic<int>, kKinds> g_syncs{};
std::atomic<bool> g_fail_writes{false};
sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_shim{};

struct ShimFile {
  sqlite3_file base;  // first: SQLite sees a ShimFile as a sqlite3_file
  sqlite3_file* real;
  int kind;
};

ShimFile* shim(sqlite3_file* f) {
  return reinterpret_cast<ShimFile*>(f);
}
sqlite3_file* real(sqlite3_file* f) {
  return shim(f)->real;
}

int kind_of(int flags) {
  if (flags & SQLITE_OPEN_MAIN_DB) return static_cast<int>(FileKind::Database);
  if (flags & SQLITE_OPEN_WAL) return static_cast<int>(FileKind::Wal);
  if (flags & SQLITE_OPEN_MAIN_JOURNAL) return static_cast<int>(FileKind::Journal);
  return static_cast<int>(FileKind::Other);
}

int shim_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int shim_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), data, amount, offset);
}
int shim_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (g_fail_writes) return SQLITE_FULL;
  g_unsynced[shim(f)->kind] = true;
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  g_unsynced[shim(f)->kind] = true;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int shim_sync(sqlite3_file* f, int flags) {
  // Cleared before the call: a write that races with this sync marks the file again.
  g_unsynced[shim(f)->kind] = false;
  const int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK) {
    ++g_syncs[shim(f)->kind];
  } else {
    g_unsynced[shim(f)->kind] = true;
  }
  return rc;
}
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int shim_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
int shim_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
int shim_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int shim_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int shim_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int shim_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int shim_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

const sqlite3_io_methods kMethods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved_lock,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

int shim_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  ShimFile* s = shim(f);
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  s->kind = kind_of(flags);
  s->base.pMethods = nullptr;
  const int rc = g_real->xOpen(g_real, name, s->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set; the real file has them only when it opened.
  if (s->real->pMethods != nullptr) s->base.pMethods = &kMethods;
  return rc;
}
int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int shim_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_real->xFullPathname(g_real, name, size, out);
}
void* shim_dl_open(sqlite3_vfs*, const char* name) {
  return g_real->xDlOpen(g_real, name);
}
void shim_dl_error(sqlite3_vfs*, int size, char* out) {
  g_real->xDlError(g_real, size, out);
}
void (*shim_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void shim_dl_close(sqlite3_vfs*, void* handle) {
  g_real->xDlClose(g_real, handle);
}
int shim_randomness(sqlite3_vfs*, int size, char* out) {
  return g_real->xRandomness(g_real, size, out);
}
int shim_sleep(sqlite3_vfs*, int microseconds) {
  return g_real->xSleep(g_real, microseconds);
}
int shim_current_time(sqlite3_vfs*, double* out) {
  return g_real->xCurrentTime(g_real, out);
}
int shim_get_last_error(sqlite3_vfs*, int size, char* out) {
  return g_real->xGetLastError(g_real, size, out);
}
int shim_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

}  // namespace

SyncTrackingVfs::SyncTrackingVfs() {
  g_real = sqlite3_vfs_find("unix");
  if (g_real == nullptr || g_real->iVersion < 2) throw std::runtime_error("no unix VFS");
  g_shim = sqlite3_vfs{};
  g_shim.iVersion = 2;
  g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_shim.mxPathname = g_real->mxPathname;
  g_shim.zName = "ssoc-sync-tracking";
  g_shim.xOpen = shim_open;
  g_shim.xDelete = shim_delete;
  g_shim.xAccess = shim_access;
  g_shim.xFullPathname = shim_full_pathname;
  g_shim.xDlOpen = shim_dl_open;
  g_shim.xDlError = shim_dl_error;
  g_shim.xDlSym = shim_dl_sym;
  g_shim.xDlClose = shim_dl_close;
  g_shim.xRandomness = shim_randomness;
  g_shim.xSleep = shim_sleep;
  g_shim.xCurrentTime = shim_current_time;
  g_shim.xGetLastError = shim_get_last_error;
  g_shim.xCurrentTimeInt64 = shim_current_time_int64;
  for (auto& u : g_unsynced) u = false;
  for (auto& s : g_syncs) s = 0;
  g_fail_writes = false;
  if (sqlite3_vfs_register(&g_shim, 1) != SQLITE_OK) throw std::runtime_error("vfs register");
}

SyncTrackingVfs::~SyncTrackingVfs() {
  g_fail_writes = false;
  sqlite3_vfs_unregister(&g_shim);
}

bool SyncTrackingVfs::unsynced(FileKind kind) const {
  return g_unsynced[static_cast<int>(kind)];
}

int SyncTrackingVfs::syncs(FileKind kind) const {
  return g_syncs[static_cast<int>(kind)];
}

void SyncTrackingVfs::fail_writes(bool on) {
  g_fail_writes = on;
}

}  // namespace ssoc::test
