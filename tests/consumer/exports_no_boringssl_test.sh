#!/usr/bin/env bash
# A shared object with the SDK in it, built without any of the SDK's flags,
# exports no BoringSSL symbol (prefixed or not).
set -euo pipefail
exported="$(nm -D --defined-only libuser_plugin.so | awk '{ print $NF }')"
grep -qx PluginReport <<<"${exported}"
leaked="$(grep -E '^(sentry_bssl_|RAND_|SHA[0-9]|EVP_|CRYPTO_|OPENSSL_|ERR_|BN_|EC_|RSA_|AES_|HMAC)' <<<"${exported}" || true)"
if [[ -n "${leaked}" ]]; then
  echo "FAIL: libuser_plugin.so exports BoringSSL symbols:"
  echo "${leaked}" | head
  exit 1
fi
echo "ok: $(grep -c . <<<"${exported}") exported symbols, none from BoringSSL"
