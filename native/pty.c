/*
 * tenkey_pty: the few PTY system calls Node has no API for, as plain N-API C (no node-addon-api dependency).
 *
 * openRawPty() -> { masterFd, slaveFd, path }
 *   openpty(), then raw mode on the slave BEFORE any byte moves (a cooked pty echoes the device's own frames back
 *   and rewrites 0x0d/0x0a/^C/XON/XOFF), O_NONBLOCK on the master (so reads and writes never park a thread),
 *   FD_CLOEXEC on both (a spawned child must not keep the port alive).
 * discardPending(fd, queue) -> undefined
 *   tcflush(): queue 0 = bytes received but not read, 1 = bytes written but not yet read by the peer, 2 = both.
 *
 * Failures throw an Error whose `code` is the errno name (EACCES, EMFILE, ...), like Node's own fs errors.
 */
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <util.h>
#else
#include <pty.h>
#endif

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[128];
  /* libuv error codes on Unix are -errno, so uv_err_name gives the same names Node's fs errors use. */
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_throw_error(env, uv_err_name(-err), message);
  return NULL;
}

static int add_fd_flags(int fd, int status_flags, int descriptor_flags) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | status_flags) < 0) return -1;
  flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | descriptor_flags) < 0) return -1;
  return 0;
}

static napi_value set_int_property(napi_env env, napi_value object, const char *name, int value) {
  napi_value js;
  if (napi_create_int32(env, value, &js) != napi_ok) return NULL;
  if (napi_set_named_property(env, object, name, js) != napi_ok) return NULL;
  return object;
}

static napi_value open_raw_pty(napi_env env, napi_callback_info info) {
  (void)info;
  int master = -1, slave = -1, err;
  char path[256];
  struct termios tio;
  const char *failed;

  if (openpty(&master, &slave, NULL, NULL, NULL) < 0) return throw_errno(env, "openpty", errno);

  failed = "tcgetattr";
  if (tcgetattr(slave, &tio) < 0) goto fail;
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD; /* no modem control lines exist on a pty: never wait for carrier */
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  failed = "tcsetattr";
  if (tcsetattr(slave, TCSANOW, &tio) < 0) goto fail;
  failed = "fcntl";
  if (add_fd_flags(master, O_NONBLOCK, FD_CLOEXEC) < 0) goto fail;
  if (add_fd_flags(slave, 0, FD_CLOEXEC) < 0) goto fail;
  failed = "ttyname_r";
  err = ttyname_r(slave, path, sizeof path);
  if (err != 0) {
    errno = err;
    goto fail;
  }

  napi_value result, js_path;
  if (napi_create_object(env, &result) != napi_ok ||
      set_int_property(env, result, "masterFd", master) == NULL ||
      set_int_property(env, result, "slaveFd", slave) == NULL ||
      napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &js_path) != napi_ok ||
      napi_set_named_property(env, result, "path", js_path) != napi_ok) {
    close(master);
    close(slave);
    napi_throw_error(env, "ERR_TENKEY_PTY", "openRawPty: could not build the result object");
    return NULL;
  }
  return result;

fail:
  err = errno;
  close(master);
  close(slave);
  return throw_errno(env, failed, err);
}

static napi_value discard_pending(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, queue;
  static const int queues[] = {TCIFLUSH, TCOFLUSH, TCIOFLUSH};

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &queue) != napi_ok ||
      fd < 0 || queue < 0 || queue > 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "discardPending(fd, queue): fd >= 0, queue 0 | 1 | 2");
    return NULL;
  }
  if (tcflush(fd, queues[queue]) < 0) return throw_errno(env, "tcflush", errno);
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor properties[] = {
      {"openRawPty", NULL, open_raw_pty, NULL, NULL, NULL, napi_enumerable, NULL},
      {"discardPending", NULL, discard_pending, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
