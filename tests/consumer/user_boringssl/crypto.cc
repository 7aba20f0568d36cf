#include "crypto.h"

const char* UserBoringsslName() { return "the user's boringssl"; }
