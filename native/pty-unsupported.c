/*
 * tenkey_pty on platforms without POSIX PTYs (Windows): the module loads, so `npm install` succeeds and the TCP
 * transport works; opening a PTY throws ENOTSUP (use --listen tcp://... or com0com there).
 */
#include <node_api.h>

static napi_value unsupported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ENOTSUP", "virtual serial ports (PTYs) are not available on this platform; use TCP");
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor properties[] = {
      {"openRawPty", NULL, unsupported, NULL, NULL, NULL, napi_enumerable, NULL},
      {"discardPending", NULL, unsupported, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, properties) != napi_ok) return NULL;
  return exports;
}
