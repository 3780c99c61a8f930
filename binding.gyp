{
  "targets": [
    {
      "target_name": "tenkey_pty",
      "conditions": [
        ["OS=='win'", {
          "sources": ["native/pty-unsupported.c"]
        }, {
          "sources": ["native/pty.c"],
          "cflags": ["-std=c11", "-Wall", "-Wextra", "-D_DEFAULT_SOURCE"],
          "xcode_settings": { "OTHER_CFLAGS": ["-std=c11", "-Wall", "-Wextra"] }
        }],
        ["OS=='linux'", {
          "libraries": ["-lutil"]
        }]
      ],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
