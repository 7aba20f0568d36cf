#!/usr/bin/env bash
# Checks that binaries linking the SDK export no BoringSSL symbol: neither a
# prefixed one (sentry_bssl_*) nor an OpenSSL-named one such as RAND_bytes.
set -euo pipefail
status=0
for binary in sdk/libsentry_cpp.so examples/quickstart/quickstart; do
  exported="$(nm -D --defined-only "${binary}" | awk '{ print $NF }')"
  count="$(echo "${exported}" | grep -c . || true)"
  leaked="$(echo "${exported}" |
    grep -E '^(sentry_bssl_|RAND_|SHA[0-9]|EVP_|CRYPTO_|OPENSSL_|ERR_|BN_|EC_|RSA_|AES_|HMAC)' || true)"
  if [[ -n "${leaked}" ]]; then
    echo "FAIL: ${binary} exports BoringSSL symbols:"
    echo "${leaked}" | head -20
    status=1
  else
    echo "ok: ${binary} exports ${count} symbols, none from BoringSSL"
  fi
done
# The symbols are in there, under the prefix, as local symbols.
all_symbols="$(nm sdk/libsentry_cpp.so)"
if ! grep -q ' t sentry_bssl_RAND_bytes$' <<<"${all_symbols}"; then
  echo "FAIL: sentry_bssl_RAND_bytes is not a local symbol of the library"
  status=1
fi
exit "${status}"
