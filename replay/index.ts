/** tenkey/replay: captures replayed in-process on virtual time (issue #12). Filled in by its own change. */
export {};
