/** tenkey/testing: the keypad in-process for a store backend's own tests (issue #12). Filled in by its own change. */
export {};
