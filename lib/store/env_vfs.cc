#include "store/env_vfs.h"

#include <cerrno>
#include <cstdio>

#include "util/check.h"

namespace flor::store {
namespace {

// An open file: ours in front, the default VFS's right behind it (szOsFile
// makes room for both).
struct EnvFile {
  sqlite3_file base;  // pMethods: kMethods
  Env* env;
  sqlite3_file* real;
};

EnvFile* of(sqlite3_file* f) { return reinterpret_cast<EnvFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return of(f)->real; }
const sqlite3_io_methods& io(sqlite3_file* f) { return *real(f)->pMethods; }
EnvVfs* ctx(sqlite3_vfs* vfs) { return static_cast<EnvVfs*>(vfs->pAppData); }
sqlite3_vfs* base(sqlite3_vfs* vfs) { return ctx(vfs)->base(); }

// Runs `call` (a write or sync of the default VFS) through the Env. A call the
// Env failed reads as the default VFS reports a failing disk.
template <typename F>
int through_env(sqlite3_file* f, Env::DbCall what, F&& call) {
  int rc = SQLITE_OK;
  const int r = of(f)->env->db_call(what, [&] {
    rc = call();
    return rc == SQLITE_OK ? 0 : -1;
  });
  if (r != 0 && rc == SQLITE_OK) {  // failed in the call's place
    if (errno == ENOSPC) return SQLITE_FULL;
    return what == Env::DbCall::kWrite ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC;
  }
  return rc;
}

int x_close(sqlite3_file* f) { return io(f).xClose(real(f)); }
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) { return io(f).xRead(real(f), buf, n, off); }
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return through_env(f, Env::DbCall::kWrite, [&] { return io(f).xWrite(real(f), buf, n, off); });
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) { return io(f).xTruncate(real(f), size); }
int x_sync(sqlite3_file* f, int flags) {
  return through_env(f, Env::DbCall::kSync, [&] { return io(f).xSync(real(f), flags); });
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return io(f).xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int level) { return io(f).xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return io(f).xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) { return io(f).xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) { return io(f).xFileControl(real(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return io(f).xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return io(f).xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** p) {
  return io(f).xShmMap(real(f), region, size, extend, p);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return io(f).xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { io(f).xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return io(f).xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) { return io(f).xFetch(real(f), off, n, p); }
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return io(f).xUnfetch(real(f), off, p); }

// Version 3, as the default VFS's files (checked at open).
constexpr sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  EnvFile* f = of(file);
  f->base.pMethods = nullptr;
  f->env = ctx(vfs)->env();
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = base(vfs)->xOpen(base(vfs), name, f->real, flags, out_flags);
  if (f->real->pMethods) {  // opened (else SQLite calls no method, not even xClose)
    FLOR_CHECK(f->real->pMethods->iVersion >= 3);
    f->base.pMethods = &kMethods;
  }
  return rc;
}
int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return base(vfs)->xDelete(base(vfs), name, sync_dir);
}
int x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return base(vfs)->xAccess(base(vfs), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return base(vfs)->xFullPathname(base(vfs), name, n, out);
}
void* x_dl_open(sqlite3_vfs* vfs, const char* name) { return base(vfs)->xDlOpen(base(vfs), name); }
void x_dl_error(sqlite3_vfs* vfs, int n, char* out) { base(vfs)->xDlError(base(vfs), n, out); }
void (*x_dl_sym(sqlite3_vfs* vfs, void* handle, const char* sym))(void) {
  return base(vfs)->xDlSym(base(vfs), handle, sym);
}
void x_dl_close(sqlite3_vfs* vfs, void* handle) { base(vfs)->xDlClose(base(vfs), handle); }
int x_randomness(sqlite3_vfs* vfs, int n, char* out) { return base(vfs)->xRandomness(base(vfs), n, out); }
int x_sleep(sqlite3_vfs* vfs, int micros) { return base(vfs)->xSleep(base(vfs), micros); }
int x_get_last_error(sqlite3_vfs* vfs, int n, char* out) {
  return base(vfs)->xGetLastError(base(vfs), n, out);
}

// SQLite's clock: Julian days (the epoch is day 2440587.5), in milliseconds.
constexpr sqlite3_int64 kUnixEpochJulianMs = 210866760000000;
int x_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  *out = kUnixEpochJulianMs + ctx(vfs)->env()->now_ns() / 1000000;
  return SQLITE_OK;
}
int x_current_time(sqlite3_vfs* vfs, double* out) {
  sqlite3_int64 ms = 0;
  x_current_time_int64(vfs, &ms);
  *out = static_cast<double>(ms) / 86400000.0;
  return SQLITE_OK;
}

}  // namespace

EnvVfs::EnvVfs(Env* env) : env_(env), base_(sqlite3_vfs_find(nullptr)) {
  FLOR_CHECK(base_ != nullptr);
  char name[48];
  std::snprintf(name, sizeof name, "flor-env-%p", static_cast<void*>(this));
  name_ = name;
  vfs_.iVersion = 2;  // up to xCurrentTimeInt64
  vfs_.szOsFile = static_cast<int>(sizeof(EnvFile)) + base_->szOsFile;
  vfs_.mxPathname = base_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = x_open;
  vfs_.xDelete = x_delete;
  vfs_.xAccess = x_access;
  vfs_.xFullPathname = x_full_pathname;
  vfs_.xDlOpen = x_dl_open;
  vfs_.xDlError = x_dl_error;
  vfs_.xDlSym = x_dl_sym;
  vfs_.xDlClose = x_dl_close;
  vfs_.xRandomness = x_randomness;
  vfs_.xSleep = x_sleep;
  vfs_.xCurrentTime = x_current_time;
  vfs_.xGetLastError = x_get_last_error;
  vfs_.xCurrentTimeInt64 = x_current_time_int64;
  FLOR_CHECK(sqlite3_vfs_register(&vfs_, 0) == SQLITE_OK);
}

EnvVfs::~EnvVfs() { sqlite3_vfs_unregister(&vfs_); }

}  // namespace flor::store
