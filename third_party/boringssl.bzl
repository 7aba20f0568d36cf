"""Compiler flags for the SDK's libraries that use BoringSSL privately.

Such a library lists "@sentry_cpp_boringssl//:crypto_headers" in its srcs (so
the headers are inputs of its compile actions but never propagate to its
dependents), adds BORINGSSL_COPTS to its copts and depends on
"@sentry_cpp_boringssl//:crypto_link".

The include paths come from the repository's label, so they hold under any
name the SDK's own repository has in the user's workspace.
"""

_BORINGSSL_ROOT = Label("@sentry_cpp_boringssl//:BUILD.bazel").workspace_root

BORINGSSL_COPTS = [
    "-isystem",
    _BORINGSSL_ROOT + "/src/include",
    "-isystem",
    "$(GENDIR)/" + _BORINGSSL_ROOT + "/prefix",
    "-DBORINGSSL_PREFIX=sentry_bssl",
]
