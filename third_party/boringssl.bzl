"""Compiler flags for the SDK's libraries that use BoringSSL privately.

Such a library lists "@boringssl//:crypto_headers" in its srcs (so the
headers are inputs of its compile actions but never propagate to its
dependents), adds BORINGSSL_COPTS to its copts and depends on
"@boringssl//:crypto_link".
"""

BORINGSSL_COPTS = [
    "-isystem",
    "external/boringssl/src/include",
    "-isystem",
    "$(GENDIR)/external/boringssl/prefix",
    "-DBORINGSSL_PREFIX=sentry_bssl",
]
