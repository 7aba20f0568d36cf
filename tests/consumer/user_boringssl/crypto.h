#ifndef USER_BORINGSSL_CRYPTO_H_
#define USER_BORINGSSL_CRYPTO_H_

// The user's own library called "boringssl".
const char* UserBoringsslName();

#endif  // USER_BORINGSSL_CRYPTO_H_
